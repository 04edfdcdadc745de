"""``verify`` on the command line with a panel's act awaiting a co-signature (trial 12, item 9; D48c):
exit 0 with a "待会签" section and no word of alteration while it is recent; exit 3 ("not verified",
not "altered") once it was recorded more than COSIGN_DAYS days ago; and ``sign`` echoed in words."""

from __future__ import annotations

import json

from click.testing import CliRunner

from cli.main import root
from tests.e2e.test_cosign_cli import _ledger
from tests.integration.test_people import HZX


def test_verify_lists_an_act_awaiting_co_signature_and_fails_it_only_when_overdue(tmp_path, monkeypatch):
    db, keys = _ledger(tmp_path)

    def run(*args, actor="张伟", lang="zh"):
        return CliRunner().invoke(root, ["--db", db, "--actor", actor, "--lang", lang, *args], catch_exceptions=False)

    r = run("appeal", "decide", "--client", HZX, "--appeal", "AL1", "--outcome", "dismissed", "--result", "维持原决定",
            "--decider", "孙丽", "--decider", "周涛", "--on", "2026-04-03", "--sign-key", keys["sun"], actor="孙丽")
    assert r.exit_code == 0, r.stderr
    body_key = str(tmp_path / "body.key")
    assert run("keys", "init", "--key", body_key).exit_code == 0
    assert run("checkpoint", "--key", body_key).exit_code == 0
    r = run("verify", "--key", body_key)
    assert r.exit_code == 0, r.stderr
    assert "已验证" in r.stdout and "待会签：1 项" in r.stdout and "尚缺 周涛 的签名" in r.stdout
    assert "改动" not in r.stdout.replace("并非记录被改动", "") + r.stderr
    data = json.loads(run("verify", "--key", body_key, "--json").stdout)
    assert data["verified"] is True and data["cosignature_overdue"] is False and len(data["awaiting_cosignature"]) == 1

    import ledger.signing_complete

    monkeypatch.setattr(ledger.signing_complete, "COSIGN_DAYS", -1)  # as if recorded long ago
    r = run("verify", "--key", body_key, lang="en")
    assert r.exit_code == 3 and "Not verified" in r.stderr and "altered" not in r.stdout.replace("not an alteration", "") + r.stderr
    r = run("verify", "--key", body_key, "--json")
    assert r.exit_code == 3 and json.loads(r.stdout)["verified"] is False

    act = data["awaiting_cosignature"][0]["version"]
    r = run("sign", "--client", HZX, "--act", str(act), "--sign-key", keys["zhou"], "--on", "2026-04-03", actor="周涛")
    assert r.exit_code == 0, r.stderr
    assert "会签人：周强" not in r.stdout and "会签人：周涛" in r.stdout and "密钥编号：" in r.stdout and "所会签的行为：申诉裁定" in r.stdout
    assert "signer" not in r.stdout and "事项：" not in r.stdout
    assert run("checkpoint", "--key", body_key).exit_code == 0
    r = run("verify", "--key", body_key)
    assert r.exit_code == 0 and "待会签" not in r.stdout
