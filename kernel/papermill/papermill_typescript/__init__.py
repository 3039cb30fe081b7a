"""A papermill parameter translator for TypeScript (the feature-histories kernel, tslab).

Parameters become `const` declarations, typed by their value: tslab lets a later cell declare a
name again, so the injected cell after the notebook's `parameters` cell overrides its defaults.
"""
import json
import math
import re

from papermill.engines import NBClientEngine
from papermill.models import Parameter
from papermill.translators import Translator, papermill_translators

__all__ = ["TypeScriptTranslator", "TypeScriptEngine"]

_DECLARATION = re.compile(
    r"^\s*(?:export\s+)?(?:const|let|var)\s+(?P<name>[A-Za-z_$][\w$]*)\s*"
    r"(?::\s*(?P<type>[^=]+?))?\s*=\s*(?P<value>.+?)\s*;?\s*(?://\s*(?P<help>.*))?$"
)


class TypeScriptTranslator(Translator):
    @classmethod
    def translate_none(cls, val):
        return "null"

    @classmethod
    def translate_str(cls, val):
        return json.dumps(val)

    @classmethod
    def translate_escaped_str(cls, str_val):
        return json.dumps(str(str_val))

    @classmethod
    def translate_int(cls, val):
        return str(val)

    @classmethod
    def translate_float(cls, val):
        if math.isnan(val):
            return "NaN"
        if math.isinf(val):
            return "Infinity" if val > 0 else "-Infinity"
        return repr(val)

    @classmethod
    def translate_bool(cls, val):
        return "true" if val else "false"

    @classmethod
    def translate_dict(cls, val):
        return "{ " + ", ".join(f"{json.dumps(str(k))}: {cls.translate(v)}" for k, v in val.items()) + " }"

    @classmethod
    def translate_list(cls, val):
        return "[" + ", ".join(cls.translate(v) for v in val) + "]"

    @classmethod
    def comment(cls, cmt_str):
        return f"// {cmt_str}".strip()

    @classmethod
    def assign(cls, name, str_val):
        return f"const {name} = {str_val};"

    @classmethod
    def inspect(cls, parameters_cell):
        """The parameters a `parameters` cell declares (`papermill --help-notebook`)."""
        params = []
        for line in parameters_cell.source.splitlines():
            m = _DECLARATION.match(line)
            if not m:
                continue
            params.append(
                Parameter(
                    name=m.group("name"),
                    inferred_type_name=(m.group("type") or "None").strip(),
                    default=m.group("value").strip(),
                    help=(m.group("help") or "").strip(),
                )
            )
        return params


class TypeScriptEngine(NBClientEngine):
    """papermill's default engine, under the name `typescript` (`--engine typescript` works too)."""


for _name in ("typescript", "feature-histories", "tslab"):
    papermill_translators.register(_name, TypeScriptTranslator)
