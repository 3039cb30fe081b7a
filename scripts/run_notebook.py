"""Execute notebooks headless with the feature-histories kernel and write the outputs back.

Usage: python run_notebook.py [--timeout S] [--no-write] NOTEBOOK...
On the first failing cell: prints the cell's source, its stderr and its error output, writes
what ran so far, and exits 1. Progress goes to stdout, one line a cell.
"""
import argparse
import os
import signal
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, DeadKernelError, CellTimeoutError

KERNEL = "feature-histories"


def cell_stderr(cell):
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append("\n".join(out.get("traceback", [])) or f"{out.get('ename')}: {out.get('evalue')}")
    return "".join(parts).rstrip()


def strip_loader_outputs(nb):
    """The plotly.js loader (5 MB) is needed on a live page only: committed notebooks do not carry it."""
    removed = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # Per-run timestamps make every re-execution a diff: a reader does not need them.
        cell.metadata.pop("execution", None)
        outs = cell.get("outputs", [])
        keep = [o for o in outs if (o.get("metadata") or {}).get("feature-histories", {}).get("role") != "plotly-loader"]
        removed += len(outs) - len(keep)
        cell["outputs"] = keep
    return removed


def number_cell(cell, k):
    """The kernel numbers its cells (execute_input / execute_reply); a cell that never got an
    answer (a timeout, a dead kernel) is numbered in execution order so it does not look unrun."""
    if cell.get("execution_count") is None:
        cell["execution_count"] = k
    for out in cell.get("outputs", []):
        if out.get("output_type") == "execute_result" and out.get("execution_count") is None:
            out["execution_count"] = cell["execution_count"]


def run(path, timeout, write, output_dir=None):
    nb = nbformat.read(path, as_version=4)
    nb.metadata["kernelspec"] = {"name": KERNEL, "display_name": "TypeScript (feature histories)", "language": "typescript"}
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=timeout,
        allow_errors=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    started = time.time()
    failed = None
    with client.setup_kernel():
        for k, index in enumerate(code_cells, 1):
            cell = nb.cells[index]
            t0 = time.time()
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as err:
                failed = (k, index, cell, err)
                number_cell(cell, k)
                break
            number_cell(cell, k)
            print(f"  [{k}/{len(code_cells)}] cell {index} ok ({time.time() - t0:.1f} s)", flush=True)
    strip_loader_outputs(nb)
    if write:
        target = path
        if output_dir:
            os.makedirs(output_dir, exist_ok=True)
            target = os.path.join(output_dir, os.path.basename(path))
        nbformat.write(nb, target)
    if failed:
        k, index, cell, err = failed
        print(f"\nFAILED: {path}, code cell {k} of {len(code_cells)} (cell index {index})", file=sys.stderr)
        print("---- source ----", file=sys.stderr)
        print(cell.source, file=sys.stderr)
        print("---- stderr ----", file=sys.stderr)
        print(cell_stderr(cell) or f"(no stderr) {type(err).__name__}: {str(err)[:2000]}", file=sys.stderr)
        return False
    print(f"  {path}: {len(code_cells)} cells in {time.time() - started:.1f} s", flush=True)
    return True


def _terminate(signum, frame):
    # Raise instead of dying, so nbclient's context manager shuts the kernel down: a killed runner
    # must not leave an orphaned kernel training in the background.
    raise SystemExit(128 + signum)


def main():
    signal.signal(signal.SIGTERM, _terminate)
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=int, default=1800, help="seconds a cell may take")
    ap.add_argument("--no-write", action="store_true", help="do not write outputs back")
    ap.add_argument("--output-dir", help="write executed notebooks here instead of in place")
    ap.add_argument("notebooks", nargs="+")
    args = ap.parse_args()
    for path in args.notebooks:
        print(f"executing {path}", flush=True)
        if not run(path, args.timeout, not args.no_write, args.output_dir):
            sys.exit(1)


if __name__ == "__main__":
    main()
