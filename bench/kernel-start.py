"""Kernel start to first cell result, for a kernelspec, median of N runs.
Usage: python kernel-start.py KERNEL_NAME RUNS CODE"""
import statistics, sys, time
from jupyter_client.manager import start_new_kernel

name, runs, code = sys.argv[1], int(sys.argv[2]), sys.argv[3]
times = []
for _ in range(runs):
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=60)
    try:
        msg_id = kc.execute(code)
        got = False
        while not got:
            msg = kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] in ("stream", "execute_result", "display_data"):
                got = True
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                raise SystemExit(f"{name}: no output")
        times.append(time.perf_counter() - t0)
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
print(statistics.median(times))
