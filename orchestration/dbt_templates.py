"""dbt's Jinja templates compiled once per warehouse, not once per command.

dbt renders every node's SQL, each test's arguments and the macros they call through Jinja, and
compiles each template from its text every time a command first meets it: Jinja parses it,
generates Python source and compiles that. A demo build compiles ~1,000 templates (~700 distinct)
in ~1.7 s of its ~12 s, and the next run of the warehouse compiles the same ones again.

`compiled_templates_kept(folder)` keeps the compiled code of each template in folder (the
warehouse's dbt target folder), with Jinja's own bytecode cache (the one Jinja uses for templates
read from files): a template met again is loaded, not compiled. Its key is the template's text and
name and what of dbt's Jinja environment shapes the code (its class, extensions, filters and tests,
the versions of Python, Jinja and dbt), so a change to any of them compiles anew; what a template
renders is unchanged. dbt-core is pinned below 1.12: if these internals move, nothing is patched.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from importlib.metadata import version
from pathlib import Path

FOLDER = "jinja_code"  # in the dbt target folder


def compiled_templates_kept(target: str | os.PathLike | None) -> bool:
    """Patch Jinja in this process to keep dbt's compiled templates under `target`; True if applied.
    A command without a target folder undoes the patch of an earlier one (a fork of the warm dbt)."""
    try:
        import jinja2
        from dbt_common.clients import jinja as dbt_jinja
        from jinja2.bccache import Bucket, FileSystemBytecodeCache
        from jinja2.utils import _PassArg
    except ImportError:
        return False
    compile_ = jinja2.Environment.compile
    if getattr(compile_, "kept", False):  # by an earlier command of this process, for its own folder
        compile_ = jinja2.Environment.compile = compile_.__wrapped__
    dbt_environment = getattr(dbt_jinja, "MacroFuzzEnvironment", None)
    if not target or dbt_environment is None:
        return False
    folder = Path(target) / FOLDER
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a full disk, a read-only target: dbt compiles as it comes
        return False
    cache = FileSystemBytecodeCache(str(folder), "%s.code")
    versions = f"{jinja2.__version__} {version('dbt-common')} {version('dbt-core')}"
    codes: dict[str, object] = {}  # this command's: a third of its templates come more than once

    def shape(env: jinja2.Environment) -> str:
        """What of the environment the generated code depends on (dbt makes one per template)."""
        parts = [versions, f"{type(env).__module__}.{type(env).__qualname__}", *sorted(env.extensions)]
        for kind in (env.filters, env.tests):  # the code passes a context to a filter that takes one
            parts += sorted(f"{name}:{_PassArg.from_obj(f)}" for name, f in kind.items())
        parts += [repr(getattr(env, name, None)) for name in _CODE_SETTINGS]
        return "\0".join(parts)

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        if raw or defer_init or not isinstance(self, dbt_environment) or not isinstance(source, str):
            return compile_(self, source, name, filename, raw, defer_init)
        if dbt_jinja.MACRO_DEBUGGING:  # dbt writes each template's code out as it compiles it
            return compile_(self, source, name, filename, raw, defer_init)
        key = hashlib.sha256("\0".join((shape(self), name or "", filename or "", source)).encode()).hexdigest()
        if key not in codes:
            bucket = Bucket(self, key, key)
            try:
                cache.load_bytecode(bucket)
            except Exception:  # noqa: BLE001  (a file cut short, by a full disk: compiled again)
                bucket.reset()
            if bucket.code is None:
                bucket.code = compile_(self, source, name, filename)
                # written to a temporary file, then renamed: whole or absent. A full disk keeps
                # nothing, and the command goes on to say so where it writes what matters
                with contextlib.suppress(OSError):
                    cache.dump_bytecode(bucket)
            codes[key] = bucket.code
        return codes[key]

    compile.kept = True
    compile.__wrapped__ = compile_
    jinja2.Environment.compile = compile
    return True


# the environment's settings that its code generator reads (jinja2.compiler, jinja2.lexer)
_CODE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "autoescape",
    "finalize",
    "is_async",
    "code_generator_class",
    "context_class",
)
