// Writes a minimal pure-Python wheel with Python's zipfile (no index is reachable here, so
// benchmarks and tests make the packages they install).
import { execFileSync } from 'node:child_process'

export function makeWheel(dir: string, name: string, version: string, init: string): string {
  const script = `
import base64, hashlib, os, sys, zipfile
d, name, ver, init = sys.argv[1:5]
dist = f"{name}-{ver}.dist-info"
files = {f"{name}/__init__.py": init, f"{dist}/METADATA": f"Metadata-Version: 2.1\\nName: {name}\\nVersion: {ver}\\n",
         f"{dist}/WHEEL": "Wheel-Version: 1.0\\nGenerator: periodic\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
rec = []
path = os.path.join(d, f"{name}-{ver}-py3-none-any.whl")
with zipfile.ZipFile(path, "w") as z:
    for n, c in files.items():
        b = c.encode(); z.writestr(n, b)
        h = base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b"=").decode()
        rec.append(f"{n},sha256={h},{len(b)}")
    rec.append(f"{dist}/RECORD,,")
    z.writestr(f"{dist}/RECORD", "\\n".join(rec) + "\\n")
print(path)
`
  return execFileSync('/usr/bin/python3', ['-c', script, dir, name, version, init]).toString().trim()
}
