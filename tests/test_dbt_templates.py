"""dbt's compiled templates kept in the target folder (orchestration/dbt_templates.py): a template met
again in a later command is loaded, not compiled, and renders what it rendered before."""

from __future__ import annotations

import json
import subprocess
import sys

# one dbt command's renders, after cx360-dbt's patch: what they gave and which templates Jinja compiled
PROBE = """
import json, sys
from dbt.clients.jinja import get_rendered
from dbt_common.clients.jinja import MacroFuzzEnvironment
from orchestration.dbt_templates import compiled_templates_kept
compiled = []
real = MacroFuzzEnvironment._compile
MacroFuzzEnvironment._compile = lambda self, source, filename: compiled.append(source) or real(self, source, filename)
assert compiled_templates_kept(sys.argv[1]), "dbt's Jinja internals moved: the patch was not applied"
ctx = {"who": "Zofia"}
rendered = [get_rendered(template, ctx, native=native) for template, native in json.loads(sys.argv[2])]
print(json.dumps({"rendered": rendered, "compiled": len(compiled)}))
"""
SUM, HELLO = "{{ (40 + 2) | as_number }}", "{{ 'hello ' ~ who }}"


def _command(target, *templates: tuple[str, bool]) -> dict:
    probe = [sys.executable, "-c", PROBE, str(target), json.dumps(templates)]
    done = subprocess.run(probe, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def test_a_template_met_again_is_loaded_and_renders_the_same(tmp_path):
    first = _command(tmp_path, (SUM, False), (SUM, True), (HELLO, False))
    # the same text in dbt's text and native environments: two codes, a string and a number
    assert first == {"rendered": ["42", 42, "hello Zofia"], "compiled": 3}
    assert len(list((tmp_path / "jinja_code").glob("*.code"))) == 3

    again = _command(tmp_path, (HELLO, False), (SUM, True), (SUM, False))
    assert again == {"rendered": ["hello Zofia", 42, "42"], "compiled": 0}

    changed = _command(tmp_path, ("{{ 'bye ' ~ who }}", False), (SUM, True))
    assert changed == {"rendered": ["bye Zofia", 42], "compiled": 1}


def test_a_damaged_file_is_compiled_again(tmp_path):
    _command(tmp_path, (HELLO, False))
    for code in (tmp_path / "jinja_code").glob("*.code"):
        code.write_bytes(code.read_bytes()[:20])  # a disk that filled up half-way through
    assert _command(tmp_path, (HELLO, False)) == {"rendered": ["hello Zofia"], "compiled": 1}
