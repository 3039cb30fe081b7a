"""Start the kernel named feature-histories (from JUPYTER_PATH), run one cell, print its messages.
Usage: python run_cell.py CODE"""
import sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="feature-histories", startup_timeout=120)
try:
    r = kc.execute_interactive(sys.argv[1], timeout=120, output_hook=lambda m: print(m["msg_type"], m["content"].get("text") or m["content"].get("data", {}).get("text/plain") or m["content"].get("evalue") or "", flush=True))
    print("status", r["content"]["status"])
finally:
    kc.stop_channels(); km.shutdown_kernel(now=True)
