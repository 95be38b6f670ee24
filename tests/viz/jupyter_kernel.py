"""Run code cells in a Deno Jupyter kernel and print every IOPub message per cell as JSON.

Used by jupyter.test.ts. argv: deno executable, repo root, then one cell per argument.
Waits a grace period after each cell's idle status, because Deno's kernel can send
outputs just after it (we want to see them, and to know whether they were late).
"""
import json, os, shutil, sys, tempfile, time
from jupyter_client.manager import start_new_kernel

deno, root, cells = sys.argv[1], sys.argv[2], sys.argv[3:]
spec_dir = tempfile.mkdtemp(prefix="tinyml-kit-kernels-")
os.makedirs(os.path.join(spec_dir, "kernels", "deno-test"))
with open(os.path.join(spec_dir, "kernels", "deno-test", "kernel.json"), "w") as f:
    json.dump({"argv": [deno, "jupyter", "--kernel", "--conn", "{connection_file}"],
               "display_name": "Deno (test)", "language": "typescript"}, f)
os.environ["JUPYTER_PATH"] = spec_dir
km, kc = start_new_kernel(kernel_name="deno-test", cwd=root, startup_timeout=60)
out = []
try:
    for code in cells:
        msg_id = kc.execute(code)
        msgs, idle_at, t0 = [], None, time.time()
        while True:
            timeout = 1.5 if idle_at else 120
            try:
                m = kc.get_iopub_msg(timeout=timeout)
            except Exception:
                break
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            t, c = m["msg_type"], m["content"]
            if t == "status":
                if c["execution_state"] == "idle":
                    idle_at = time.time()
                continue
            msgs.append({"type": t, "late": idle_at is not None, "content": c})
        out.append({"code": code, "messages": msgs, "seconds": round(time.time() - t0, 2)})
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
    shutil.rmtree(spec_dir, ignore_errors=True)
print(json.dumps(out))
