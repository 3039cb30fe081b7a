"""Jupyter's own kernel conformance suite (jupyter_kernel_test) against the feature-histories kernel.

Run by test/kernel/conformance.test.ts with JUPYTER_PATH pointing at this checkout's kernel spec.
Every part of the protocol the suite can check is switched on here, with TypeScript samples.
"""
import unittest

import jupyter_kernel_test


class FeatureHistoriesKernelTests(jupyter_kernel_test.KernelTests):
    kernel_name = "feature-histories"
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("to stderr")'
    code_generate_error = 'throw new Error("raised on purpose")'
    code_execute_result = [
        {"code": "6 * 7", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_display_data = [
        {"code": 'import * as tslab from "tslab";\ntslab.display.html("<b>bold</b>")', "mime": "text/html"},
        {"code": 'import * as tslab from "tslab";\ntslab.display.markdown("*md*")', "mime": "text/markdown"},
    ]
    completion_samples = [{"text": "Math.PI.toFixe", "matches": ["toFixed"]}]
    complete_code_samples = ["const a = 1;", "console.log(1)", "function f() { return 1; }"]
    incomplete_code_samples = ["function f() {", "const x = [1, 2,", "if (true) {"]
    invalid_code_samples = ["let = = ;", "const 1x = 2;", "f(,)"]
    code_clear_output = 'console.log("soon gone"); fh.notebook.clearOutput()'
    # Not tested: the pager payload (IPython's `?` help); inspect_request answers the same question.
    code_inspect_sample = "Math.max"
    supported_history_operations = ("tail", "range", "search")
    code_history_pattern = "6 *"


if __name__ == "__main__":
    unittest.main(verbosity=2)
