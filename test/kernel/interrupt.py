"""Interrupt a live search in a real feature-histories kernel (jupyter_client), then resume it.

Usage: python interrupt.py WORKERS STUDY_DIR. Prints one JSON line with what it saw; the checks are
in test/kernel/interrupt.test.ts. The kernel is interrupted as JupyterLab does it (interrupt_mode
"signal": SIGINT to the kernel's process group, its worker processes included) once the search
has reported its third epoch.
"""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

workers, study_dir = int(sys.argv[1]), sys.argv[2]

SETUP = f"""
const ds = fh.data.syntheticDataset({{ train: 600, test: 60, size: 10, seed: 1 }});
const splits = fh.data.makeSplits(ds, {{ train: 480, validation: 60, probeTrain: 30, probeValidation: 30, test: 60, seed: 0 }});
const space = fh.space.defineSpace([fh.space.categorical("family", ["cnn"]), fh.space.categorical("depth", [2]),
  fh.space.categorical("width", [8, 12, 16]), fh.space.categorical("kernel", [3]), fh.space.categorical("pooling", ["max"]),
  fh.space.categorical("batchNorm", [true]), fh.space.categorical("dropout", [0])]);
const study = await fh.study.create({{ name: "intr", storage: {json.dumps(study_dir)}, space: space, budget: 4, seed: 3 }});
const before = "kept";
let epochs = 0;
"""
SEARCH = f"""
const result = await fh.notebook.liveOptimize(study, {{ data: splits, trials: 6, workers: {workers}, figures: false,
  onProgress: (p) => {{ if (p.epoch !== undefined) {{ epochs++; console.log(`epoch event ${{epochs}}`); }} }} }});
console.log(`result ${{result.complete}} ${{result.pruned}} ${{result.failed}} ${{result.interrupted}}`);
"""
AFTER = "console.log(`after ${before} ${epochs} ${study.trials().reduce((s, t) => s + t.curves.valAcc.length, 0)}`)"

km, kc = start_new_kernel(kernel_name="feature-histories", startup_timeout=120)


def run(code, interrupt_at=None, timeout=300):
    msg_id = kc.execute(code)
    text, errors, interrupted_at = [], [], None
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not km.is_alive():
            return {"dead": True, "text": "".join(text)}
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except Exception:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            text.append(msg["content"]["text"])
            if interrupt_at and interrupted_at is None and f"epoch event {interrupt_at}" in "".join(text):
                km.interrupt_kernel()
                interrupted_at = time.time()
        elif kind == "error":
            errors.append(msg["content"]["ename"])
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=30)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=30)
    return {"status": reply["content"]["status"], "text": "".join(text), "errors": errors}


out = {"setup": run(SETUP)}
out["first"] = run(SEARCH, interrupt_at=3)
out["alive"] = km.is_alive()
if out["alive"]:
    out["after_first"] = run(AFTER)
    out["second"] = run(SEARCH)
    out["after_second"] = run(AFTER)
print(json.dumps(out))
kc.stop_channels()
km.shutdown_kernel(now=True)
