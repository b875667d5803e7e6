import signal

from monitor.cli import interrupted_while_loading, main

signal.signal(signal.SIGINT, interrupted_while_loading)
main()
