"""The bundle's PDF report embeds every glyph it draws, whatever client is exported: headings, fixed
labels, the cover, the table header and the client's data all extract from the PDF, and fpdf2 never
reports a missing glyph. A character the report font does not have refuses the export, naming the
character, its code point and where it comes from, with nothing written."""

from __future__ import annotations

import logging
import warnings
from datetime import date

import pytest
from click.testing import CliRunner

from aggregates.errors import RuleViolation
from ledger.bundle import export_bundle, layout, verify_bundle
from ledger.demo import play
from ledger.trail import make_checkpoint
from ledger.trail.keys import init_key, load_signer, load_verifier

from tests.integration.test_bundle import explain_text, key, played  # noqa: F401 - the same fixtures

TODAY = date(2026, 11, 20)
HEADER = ("位置", "版本", "事件类型", "业务日期", "记录时间", "操作人")
HEADINGS = ("质量信用检查导出报告", "一、组织信息", "二、证书状态与历史", "三、等级说明", "四、事件历史")
EXT_B = "\U00020000"  # 𠀀 CJK Extension B
EMOJI = "\U0001F600"  # 😀


def pdf_text(directory):
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(directory / layout.REPORT).pages)


def export_quietly(caplog, *args, **kwargs):
    """export_bundle, failing on any Python warning and any fpdf2 log record of WARNING or above."""
    caplog.clear()
    with caplog.at_level(logging.WARNING), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = export_bundle(*args, **kwargs)
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    return result


def apply(app, uscc, name):
    app.submit_application(client=uscc, name=name, address="上海市浦东新区世纪大道100号", scheme="tbsc94", scope="日用品批发",
                           site=[{"name": "总部", "address": "上海市浦东新区世纪大道100号"}], headcount=20,
                           evidence="营业执照", actor="李娜", on=date(2026, 11, 2))


def uscc(body17):
    from aggregates.uscc import check_character

    return body17 + check_character(body17)


def font_codepoints():
    from fontTools.ttLib import TTFont
    from pylopdf_fonts_zh_cn import sans_path

    with TTFont(sans_path(), lazy=True) as font:
        return set(font.getBestCmap())


def test_the_font_lacks_the_characters_the_refusal_tests_use():
    have = font_codepoints()
    assert ord(EXT_B) not in have and ord(EMOJI) not in have
    assert all(ord(ch) in have for ch in "".join(HEADINGS) + "、一二三四")


def test_every_demo_client_exported_alone_shows_every_heading_label_and_its_own_data(played, key, tmp_path, caplog):
    app, codes, verifier = played
    for n, code in enumerate(codes):
        out = tmp_path / f"b{n}"
        export_quietly(caplog, app, out, verifier, [code], explain_text, signer=load_signer(key))
        text = pdf_text(out)
        client = app.client(code)
        expected = (*HEADINGS, *HEADER, f"{client.name}（{code}）", f"组织名称：{client.name}", f"统一社会信用代码：{code}",
                    "第 1 页 / 共", "组织：")
        for s in expected:
            assert s in text, (code, s)
        # Every character of the client's section outside the table (whose cells may be cut to fit).
        from ledger.bundle.report import ClientSection

        section = ClientSection.gather(app, code, [], explain_text)
        drawn = "".join([*(k + "：" + v for k, v in section.identity), *section.certificate, section.explanation])
        absent = {ch for ch in drawn if not ch.isspace()} - set(text)
        assert not absent, (code, sorted(absent))
        assert verify_bundle(out, verifier).ok


def test_the_bundle_of_every_client_draws_no_missing_glyph(played, key, tmp_path, caplog):
    app, codes, verifier = played
    export_quietly(caplog, app, tmp_path / "b", verifier, None, explain_text, signer=load_signer(key))
    text = pdf_text(tmp_path / "b")
    for s in (*HEADINGS, *(f"{app.client(c).name}（{c}）" for c in codes)):
        assert s in text


@pytest.mark.parametrize("odd", [EXT_B, EMOJI], ids=["ext-b", "emoji"])
def test_a_name_the_font_cannot_show_refuses_the_export_naming_it_and_writes_nothing(played, key, tmp_path, caplog, odd):
    app, codes, verifier = played
    code = uscc("91310115MA1K3X0Y5")
    apply(app, code, f"上海{odd}日用品有限公司")
    make_checkpoint(app, load_signer(key))
    out = tmp_path / "new" / "b"
    for selection in ([code], None):
        caplog.clear()
        with caplog.at_level(logging.WARNING), pytest.raises(RuleViolation) as refused:
            export_bundle(app, out, verifier, selection, explain_text, signer=load_signer(key))
        e = refused.value
        assert e.rule == "001 §12 inspection bundle"
        code_point = f"U+{ord(odd):04X}"
        for message in (e.message_zh, e.message_en):
            assert odd in message and code_point in message and code in message
        assert "组织名称" in e.message_zh and "name" in e.message_en
        assert not (tmp_path / "new").exists()  # not even the parent directory, nor a temporary one
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    # The other clients still export.
    export_quietly(caplog, app, out, verifier, [codes[0]], explain_text, signer=load_signer(key))
    assert verify_bundle(out, verifier).ok


def test_a_key_name_the_font_cannot_show_is_named_in_the_refusal(app, tmp_path):
    play(app, today=TODAY)
    path = tmp_path / "odd.key"
    init_key(path, f"检查{EMOJI}body")
    make_checkpoint(app, load_signer(path))
    with pytest.raises(RuleViolation) as refused:
        export_bundle(app, tmp_path / "b", load_verifier(None, path), None, explain_text, signer=load_signer(path))
    assert "U+1F600" in refused.value.message_zh and "密钥名称" in refused.value.message_zh
    assert "key name" in refused.value.message_en
    assert not (tmp_path / "b").exists()


def test_a_glyph_missing_from_the_subset_refuses_instead_of_being_logged(played, key, tmp_path, caplog, monkeypatch):
    """The check of fpdf2's own record of missing glyphs, behind the plan's check."""
    from ledger.bundle import report

    app, codes, verifier = played
    charset = report.Plan.charset
    monkeypatch.setattr(report.Plan, "charset", lambda self: charset(self).replace("三", ""))
    with caplog.at_level(logging.WARNING), pytest.raises(RuleViolation) as refused:
        export_bundle(app, tmp_path / "b", verifier, [codes[0]], explain_text, signer=load_signer(key))
    assert "三" in refused.value.message_zh and "U+4E09" in refused.value.message_en
    assert not [r for r in caplog.records if "missing" in r.getMessage()]
    assert not (tmp_path / "b").exists()


def test_the_command_refuses_with_exit_1_naming_the_character(tmp_path):
    from cli.bundle import export
    from cli.output import Settings
    from ledger.bootstrap import bootstrap

    db, key = str(tmp_path / "ledger.sqlite"), tmp_path / "signing.key"
    app = bootstrap(db)
    play(app, today=TODAY)
    code = uscc("91310115MA1K3X0Y5")
    apply(app, code, f"上海{EXT_B}日用品有限公司")
    init_key(key, "test.body")
    make_checkpoint(app, load_signer(key))
    app.close()
    out = tmp_path / "out" / "b"
    result = CliRunner().invoke(export, [code, "--out", str(out), "--key", str(key)], obj=Settings(db=db, actor="检查员"))
    assert result.exit_code == 1, result.output
    assert EXT_B in result.stderr and "U+20000" in result.stderr and code in result.stderr
    assert "Traceback" not in result.stderr and "missing the following glyphs" not in result.stderr
    assert not (tmp_path / "out").exists()
