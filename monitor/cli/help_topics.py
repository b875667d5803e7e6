"""`monitor help [TOPIC]`: the query language and the exit codes, where `--help` points."""

from __future__ import annotations

import click

QUERY = """\
The query language (search, report, export, saved searches)

A query is the rest of the command line: `monitor search hoa binh` searches both words, and
`monitor search -lũ bão` every article about storms that does not mention floods. Quote a
phrase for your shell: monitor search '"hoà bình"'.

Words match whatever their case, diacritics, tone placement or Unicode form (hoa finds Hòa,
hoà, HOÀ); articles that match with the diacritics typed rank first.

  word word              all the words              bão Quảng Ninh
  a OR b                 either (AND binds tighter) Huế OR "Đà Nẵng"
  ( … )                  grouping                   (bão OR lũ) miền Trung
  -word, NOT word        leave out                  bóng đá -"ngoại hạng"
  "…" or “…”             the words in this order    "hòa bình"
  covid-19, Hà-Nội       joined words: a phrase     covid-19
  =word, ="…", --exact   keep the diacritics        =bán nhà
  title:word             in the title               title:"hòa bình"
  source:NAME            the outlet                 source:"Tuổi Trẻ"
  url:word               words of the address       url:thoi-su
  lang:CODE              the language               lang:vi
  author:NAME            the byline (no accents)    author:"Nguyễn Văn A"
  flag:NAME              a quality flag             -flag:not_article
  tag:NAME               a collection (feed tag)    tag:national
  status:NAME            a status                   status:gone
  *                      every article              * date:2026-01
  date:D, date:M, date:Y a day, month or year       date:2026-01-19
  date:A/B, A/, /B       a range, both ends in      date:2026-01-19/2026-01-25
  date:P7D/              the last 7 days            lũ date:P7D/

Days, months and years are those of the report time zone ([report] timezone, Vietnam time by
default), as --since/--until are. Flags: short, probably_truncated, no_date, not_article.
OR, AND and NOT are operators only in capitals; "or" is a word. @NAME runs a saved search.
"""

EXIT_CODES = """\
Exit codes

  0   everything succeeded
  1   some feeds or pages failed (each is listed with its reason; the run went on)
  2   the command line, a query or the configuration is wrong
  3   an internal error: one line, and the traceback in STORAGE/logs/errors.log
  75  the archive is locked by another writer, or busy: try again later (--wait SECONDS)
  130 interrupted (Ctrl-C, SIGTERM): what was done is kept
"""

TOPICS = {"query": QUERY, "exit-codes": EXIT_CODES}


@click.command("help")
@click.argument("topic", required=False)
@click.pass_context
def help_command(ctx: click.Context, topic: str | None) -> None:
    """Help on a TOPIC (query, exit-codes) or a command (`monitor help search`).

    Example: monitor help query
    """
    group = ctx.parent.command if ctx.parent is not None else None
    if topic in TOPICS:
        click.echo(TOPICS[topic].rstrip())
        return
    if topic and isinstance(group, click.Group) and (command := group.get_command(ctx, topic)):
        with click.Context(command, info_name=topic, parent=ctx.parent) as sub:
            click.echo(command.get_help(sub))
        return
    if topic:
        raise click.UsageError(
            f"no help on {topic!r}; topics: {', '.join(TOPICS)}, or a command's name"
        )
    assert ctx.parent is not None
    click.echo(ctx.parent.get_help())
    click.echo(f"\nTopics: monitor help {{{'|'.join(TOPICS)}}}")
