from __future__ import annotations

import pytest

from monitor.extract.language import detect_language

SAMPLES = {
    "vi": "Chiều 22/11, Ủy ban nhân dân thành phố tổ chức hội nghị tổng kết công tác phòng chống "
    "thiên tai năm nay với sự tham gia của các sở, ngành.",
    "en": "The city said it would study support policies for residents who switch to electric "
    "vehicles, and experts say the plan will be difficult without better public transport.",
    "fr": "Les autorités du tourisme estiment que la politique d'exemption de visa a joué un rôle "
    "important dans cette reprise, selon l'Office général des statistiques à Hôi An.",
    "de": "Die Stadt will Motorräder mit Benzinmotor aus dem Zentrum verbannen, und die Pläne "
    "sind bei den Bewohnern nicht ohne Kritik geblieben, wie die Zeitung berichtet.",
    "es": "El gobierno de la ciudad anunció que los autobuses públicos deberán funcionar con "
    "electricidad para el año 2035, según el plan que fue aprobado por las autoridades.",
    "id": "Pemerintah kota mengatakan bahwa rencana itu akan diterapkan secara bertahap dan "
    "tidak akan berlaku untuk kendaraan yang sudah terdaftar sebelum tahun depan.",
    "zh": "越南河内市计划从2026年起禁止燃油摩托车进入一环路以内区域，以减少空气污染。",
    "ja": "ハノイ市は二〇二六年からガソリン車のバイクを環状一号線の内側で禁止する計画を発表した。",
    "ko": "하노이시는 2026년부터 도심 순환도로 안쪽에서 휘발유 오토바이 운행을 금지할 계획이다.",
    "ru": "Власти Ханоя планируют запретить мотоциклы с бензиновым двигателем в центре города.",
    "th": "กรุงฮานอยมีแผนห้ามรถจักรยานยนต์ที่ใช้น้ำมันเบนซินเข้าเขตวงแหวนชั้นในตั้งแต่ปีหน้า",
    "km": "ទីក្រុងហាណូយគ្រោងហាមឃាត់ម៉ូតូប្រើប្រាស់សាំងនៅក្នុងតំបន់កណ្តាលទីក្រុងចាប់ពីឆ្នាំក្រោយ",
    "lo": "ນະຄອນຫຼວງຮ່າໂນ້ຍມີແຜນຫ້າມລົດຈັກທີ່ໃຊ້ນ້ຳມັນແອັດຊັງເຂົ້າເຂດໃຈກາງເມືອງແຕ່ປີໜ້າເປັນຕົ້ນໄປ",
}


@pytest.mark.parametrize(("language", "text"), sorted(SAMPLES.items()))
def test_each_language_is_recognised(language: str, text: str) -> None:
    assert detect_language(text) == language


def test_text_without_enough_letters_is_unknown() -> None:
    assert detect_language("12/11/2026 — 08:00") is None
    assert detect_language("") is None


def test_english_about_vietnam_with_accented_names_stays_english() -> None:
    text = (
        "Nguyễn Văn Phúc, an economist in Hà Nội, said the central bank would keep interest "
        "rates stable while watching the exchange rate and the price of food."
    )
    assert detect_language(text) == "en"


def test_latin_text_with_no_known_stopwords_is_unknown() -> None:
    assert detect_language("Lorem ipsum dolor sit amet consectetur adipiscing elit sed") is None
