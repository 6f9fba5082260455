"""jupyter_kernel_test against the installed "tsgrad" kernelspec (the one install.sh wrote into
.venv/share/jupyter/kernels). Driven by test/interop/jupyter_kernel_test.test.ts, which sets
TSGRAD_DATA_DIR to a fresh folder so the history file starts empty, and fails on any skip that
is not listed there as unsupported.
Run by hand: TSGRAD_DATA_DIR=$(mktemp -d) .venv/bin/python -m unittest -v test_jupyter_kernel"""

import os
import unittest

import jupyter_kernel_test as jkt

KERNEL = os.environ.get("TSGRAD_KERNEL_NAME", "tsgrad")


class TsgradKernelTests(jkt.KernelTests):
    kernel_name = KERNEL
    language_name = "typescript"
    file_extension = ".ts"

    code_hello_world = 'console.log("hello, world")'
    code_stderr = 'console.error("an error line")'

    # Matches are compared as a set, so each prefix must have exactly these completions.
    completion_samples = [
        {"text": "Math.SQRT", "matches": {"SQRT1_2", "SQRT2"}},
        {"text": "const jktCompletionVariable = 1;\njktCompletionVar", "matches": {"jktCompletionVariable"}},
    ]
    complete_code_samples = ["1 + 1", "const a = 1;", "function f(x: number) { return x; }", "for (const c of [1]) {}"]
    incomplete_code_samples = ["function f(x: number) {", "const xs = [1,", "if (true) {", "const s = `open"]
    invalid_code_samples = ["const = 1;", "1 +* 2", "}"]

    code_generate_error = 'throw new Error("generated error")'

    code_execute_result = [
        {"code": "6 * 7 // jkt-history", "result": "42"},
        {"code": '"a" + "b"', "result": "'ab'"},
        {"code": "[1, 2, 3].map((x) => x * 2)", "result": "[ 2, 4, 6 ]"},
    ]
    code_history_pattern = "*jkt-history*"
    supported_history_operations = ("tail", "range", "search")

    code_display_data = [
        {"code": 'display.html("<b>hi</b>")', "mime": "text/html"},
        {"code": 'display.bundle({ "text/markdown": "# hi", "text/plain": "hi" })', "mime": "text/markdown"},
        {"code": 'import * as tslab from "tslab";\ntslab.display.svg("<svg xmlns=\'http://www.w3.org/2000/svg\'/>")', "mime": "image/svg+xml"},
    ]

    code_inspect_sample = "Math.max"
    code_page_something = "Math.max?"
    code_clear_output = 'console.log("soon gone"); clearOutput()'

    # Beyond jupyter_kernel_test's own cases: the rest of what jupyter_client offers a frontend.

    def test_stdin_input_round_trip(self):
        self.flush_channels()
        msg_id = self.kc.execute('const who = await input("name? ");\nconsole.log(`hello ${who}`)', allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=jkt.TIMEOUT)
        try:
            # Not jkt.validate_message: its schema wants password to be a number, where the
            # messaging spec (and jupyter_client, ipykernel) use a boolean.
            self.assertEqual(request["msg_type"], "input_request")
            self.assertEqual(request["parent_header"]["msg_id"], msg_id)
            self.assertEqual(request["content"]["prompt"], "name? ")
            self.assertIs(request["content"]["password"], False)
        finally:
            self.kc.input("Ada")  # never leave the kernel waiting: later tests share it
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        jkt.validate_message(reply, "execute_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        out = ""
        while True:
            msg = self.kc.get_iopub_msg(timeout=jkt.TIMEOUT)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "stream":
                out += msg["content"]["text"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        self.assertEqual(out, "hello Ada\n")

    def test_user_expressions(self):
        self.flush_channels()
        reply, _ = self.execute_helper('const ux = 20;')
        self.assertEqual(reply["content"]["status"], "ok")
        msg_id = self.kc.execute("", user_expressions={"sum": "ux + 22", "bad": "ux.nope.nope"})
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        jkt.validate_message(reply, "execute_reply", msg_id)
        ux = reply["content"]["user_expressions"]
        self.assertEqual(ux["sum"]["status"], "ok")
        self.assertEqual(ux["sum"]["data"]["text/plain"], "42")
        self.assertEqual(ux["bad"]["status"], "error")

    def test_comm_info(self):
        self.flush_channels()
        msg_id = self.kc.comm_info()
        reply = self.get_non_kernel_info_reply(timeout=jkt.TIMEOUT)
        jkt.validate_message(reply, "comm_info_reply", msg_id)
        self.assertEqual(reply["content"]["status"], "ok")
        self.assertIsInstance(reply["content"]["comms"], dict)


if __name__ == "__main__":
    unittest.main()
