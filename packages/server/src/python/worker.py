# Periodic's in-sandbox Python runtime: imports the user's code once, then serves invocations
# one at a time. Protocol: one JSON line in on stdin, JSON lines out on fd 3 (never stdout),
# so print() and stderr stay the run's logs and cannot corrupt the protocol. After each
# invocation that wrote anything, a sentinel line on stdout and stderr marks where that run's
# output ends; a run that wrote nothing (the process's write counter says so) is marked quiet
# and needs none, which saves the host two pipe reads per invocation.
# Handler SDK calls (periodic/__init__.py) use the same two pipes: a "call" line out on fd 3,
# its "call_result" line back on stdin. One lock covers every stdin read, so a call's answer
# can never be taken for an invocation, nor the other way round.
import _thread
import json
import os
import resource
import sys
import time
import types

CONTROL_FD = 3
SENTINEL = os.environ.pop("PERIODIC_SENTINEL", "")
CODE_FILE = os.environ.pop("PERIODIC_CODE_FILE", "/periodic/code/main.py")
HANDLER = os.environ.pop("PERIODIC_HANDLER", "")
SLUG = os.environ.pop("PERIODIC_SLUG", "")
ENVELOPE_KEYS = ("payload", "data", "input")
WORKER_PID = os.getpid()
OUTPUT_DIR = os.environ.get("PERIODIC_OUTPUT_DIR")
INPUT_DIR = os.environ.get("PERIODIC_INPUT_DIR")
POOLED = os.environ.pop("PERIODIC_POOLED", "0") == "1"


sent_bytes = 0
# The invocation being served: its id and context (trace ids), read by the periodic package.
CURRENT = {"run": None, "context": None}
STDIN_LOCK = _thread.allocate_lock()
# Invocation lines a call read while it waited for its answer (a thread of the handler still
# waiting after the handler returned): the main loop serves them before reading stdin again.
BACKLOG = []
_call_seq = 0


def send(msg, output=None):
    # ASCII JSON, so the length is the byte count the write counter sees. `output`: the result,
    # already encoded (it was encoded once to check it, not encoded again).
    global sent_bytes
    text = json.dumps(msg, separators=(",", ":"))
    if output is not None:
        text = text[:-1] + ',"output":' + output + "}"
    data = (text + "\n").encode("ascii")
    sent_bytes += len(data)
    view = memoryview(data)
    while view:
        view = view[os.write(CONTROL_FD, view):]


# Quiet runs need a write counter that includes reaped children; the host says if it does.
IO_FD = None
if os.environ.pop("PERIODIC_QUIET_RUNS", "0") == "1":
    try:
        IO_FD = os.open("/proc/self/io", os.O_RDONLY)
    except OSError:
        pass


def written():
    """Bytes this process (and its reaped children) has written so far, or None if unknown."""
    if IO_FD is None:
        return None
    try:
        for line in os.pread(IO_FD, 1024, 0).split(b"\n"):
            if line.startswith(b"wchar:"):
                return int(line[6:])
    except (OSError, ValueError):
        pass
    return None


def flush_streams():
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:  # noqa: BLE001
            pass


def memory_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def error(code, message, tb=None, **extra):
    out = {"code": code, "message": message[:4000]}
    if tb:
        out["traceback"] = tb[-20000:]
    out.update(extra)
    return out


def user_traceback(exc):
    # Drop this runtime's own frames so the traceback starts in the user's code.
    import traceback  # only on the error path: the import costs a cold start milliseconds

    frames = traceback.extract_tb(exc.__traceback__)
    frames = [f for f in frames if not f.filename.endswith("worker.py")]
    lines = ["Traceback (most recent call last):\n"] + traceback.format_list(frames)
    return "".join(lines + traceback.format_exception_only(type(exc), exc))


def load():
    sys.path.insert(0, os.path.dirname(CODE_FILE))
    with open(CODE_FILE, encoding="utf-8") as f:
        source = f.read()
    try:
        code = compile(source, "main.py", "exec")
    except SyntaxError as e:
        return None, error("PYTHON_SYNTAX_ERROR", f"{e.msg} (line {e.lineno}, column {e.offset})",
                           line=e.lineno, column=e.offset)
    module = types.ModuleType("main")
    module.__file__ = CODE_FILE
    sys.modules["main"] = module
    try:
        exec(code, module.__dict__)
    except ImportError as e:
        return None, error("PYTHON_IMPORT_ERROR", f"{type(e).__name__}: {e}", user_traceback(e))
    except MemoryError as e:
        return None, error("PYTHON_OOM", "out of memory while importing the code", user_traceback(e))
    except BaseException as e:  # noqa: BLE001 - anything at import time is the user's error
        return None, error("PYTHON_RUNTIME_ERROR", f"{type(e).__name__} at import: {e}", user_traceback(e))
    callables = sorted(k for k, v in vars(module).items()
                       if callable(v) and not k.startswith("_") and getattr(v, "__module__", None) == "main")
    if HANDLER:
        fn = vars(module).get(HANDLER)
        if not callable(fn):
            return None, error("PYTHON_HANDLER_NOT_FOUND",
                               f"handler '{HANDLER}' is not defined; callables in the code: {callables}",
                               callables=callables)
        return (HANDLER, fn), None
    for name in ("handler", "main", "entrypoint", SLUG.replace("-", "_")):
        fn = vars(module).get(name)
        if name and callable(fn):
            return (name, fn), None
    return None, error("PYTHON_HANDLER_NOT_FOUND",
                       f"no handler found (looked for handler, main, entrypoint, {SLUG.replace('-', '_')}); "
                       f"callables in the code: {callables}", callables=callables)


def unwrap(payload):
    if isinstance(payload, dict) and len(payload) == 1:
        key = next(iter(payload))
        if key in ENVELOPE_KEYS and isinstance(payload[key], dict):
            return payload[key]
    return payload


def with_files(payload, files):
    # Input files arrive as paths under PERIODIC_INPUT_DIR, merged into the input as "files".
    if not files or not INPUT_DIR:
        return payload
    paths = {field: os.path.join(INPUT_DIR, name) for field, name in files.items()}
    if payload is None:
        return {"files": paths}
    if isinstance(payload, dict):
        return {**payload, "files": {**(payload.get("files") or {}), **paths}}
    return payload


def wants_context(fn):
    # A plain function's code object answers without importing inspect (~10 ms of cold start);
    # a decorated one (functools.wraps) is asked through inspect, which follows __wrapped__.
    code = getattr(fn, "__code__", None)
    if code is not None and not isinstance(fn, type) and not hasattr(fn, "__wrapped__"):
        if code.co_flags & 0x04:  # CO_VARARGS
            return True
        bound = getattr(fn, "__self__", None) is not None
        return code.co_argcount - (1 if bound else 0) >= 2
    import inspect

    try:
        params = list(inspect.signature(fn).parameters.values())
        positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return len(positional) >= 2 or any(p.kind == p.VAR_POSITIONAL for p in params)
    except (TypeError, ValueError):
        return False


_loop = None


def event_loop():
    # asyncio is imported for the first async handler only: it costs ~70 ms of cold start.
    global _loop
    if _loop is None:
        import asyncio

        _loop = asyncio.new_event_loop()
    return _loop


def engine_call(function_id, data):
    """Calls an engine function for the current run; returns the host's call_result message."""
    global _call_seq
    body = json.dumps(data, separators=(",", ":"), allow_nan=False)  # TypeError/ValueError: the caller's
    with STDIN_LOCK:
        run_id = CURRENT["run"]
        if run_id is None or os.getpid() != WORKER_PID:
            return {"error": {"code": "no_invocation",
                              "message": "engine calls are made from a handler while it serves a run"}}
        _call_seq += 1
        seq = _call_seq
        send({"type": "call", "id": run_id, "call": seq, "function_id": function_id, "data": json.loads(body)})
        while True:
            line = sys.stdin.readline()
            if not line:
                return {"error": {"code": "worker_lost", "message": "the host closed the channel"}}
            msg = json.loads(line)
            if msg.get("type") == "call_result" and msg.get("call") == seq:
                return msg
            if msg.get("type") != "call_result":
                BACKLOG.append(line)


def mark_end(run_id):
    # Python's buffers are flushed; the sentinel goes straight to the descriptors.
    for fd in (1, 2):
        try:
            os.write(fd, f"\n{SENTINEL}{run_id}\n".encode())
        except OSError:
            pass


def await_code():
    """A pre-started (pooled) sandbox: the interpreter is up; the element's code comes later.

    One "load" line on stdin brings the environment a fresh worker would have started with
    (the tenant's variables among them) and which code to load; nothing of the tenant's was in
    this process before it.
    """
    global CODE_FILE, HANDLER, SLUG
    send({"type": "waiting"})
    line = sys.stdin.readline()
    if not line:
        sys.exit(0)
    msg = json.loads(line)
    # The interpreter's own locale coercion (PEP 538) is kept: a fresh one, given the same
    # environment (no LC_*/LANG: those never get a pre-started sandbox), sets the same.
    coerced = os.environ.get("LC_CTYPE")
    os.environ.clear()
    os.environ.update(msg["env"])
    if coerced is not None:
        os.environ.setdefault("LC_CTYPE", coerced)
    CODE_FILE = os.environ.pop("PERIODIC_CODE_FILE", CODE_FILE)
    HANDLER = os.environ.pop("PERIODIC_HANDLER", "")
    SLUG = os.environ.pop("PERIODIC_SLUG", "")
    for name in ("PERIODIC_SENTINEL", "PERIODIC_QUIET_RUNS"):
        os.environ.pop(name, None)


def main():
    if POOLED:
        await_code()
    started = time.perf_counter()
    loaded, err = load()
    if err:
        send({"type": "load_error", "error": err})
        return
    name, fn = loaded
    with_context = wants_context(fn)
    send({"type": "ready", "handler": name, "load_ms": round((time.perf_counter() - started) * 1000, 2)})
    while True:
        with STDIN_LOCK:
            line = BACKLOG.pop(0) if BACKLOG else sys.stdin.readline()
        if not line:
            break
        if not line.strip():
            continue
        msg = json.loads(line)
        if msg.get("type") == "call_result":
            continue  # the answer to a call whose caller gave up; never an invocation
        run_id = msg["id"]
        t0 = time.perf_counter()
        w0, s0 = written(), sent_bytes
        reply = {"type": "result", "id": run_id}
        output = None
        try:
            payload = with_files(unwrap(msg.get("input")), msg.get("files"))
            context = msg.get("context") or {}
            if OUTPUT_DIR:
                context["output_dir"] = OUTPUT_DIR
            args = (payload, context) if with_context else (payload,)
            CURRENT["run"], CURRENT["context"] = run_id, context
            result = fn(*args)
            if hasattr(result, "__await__"):
                result = event_loop().run_until_complete(result)
            if isinstance(result, (types.GeneratorType, types.AsyncGeneratorType)):
                result = stream_chunks(run_id, result)
            try:
                output = json.dumps(result, allow_nan=False, separators=(",", ":"))
            except (TypeError, ValueError) as e:
                reply["error"] = error("PYTHON_RUNTIME_ERROR",
                                       f"the return value is not JSON-serializable: {e}")
        except MemoryError as e:
            reply["error"] = error("PYTHON_OOM", "out of memory (memory_mb exceeded)", user_traceback(e))
        except SystemExit as e:
            reply["error"] = error("PYTHON_RUNTIME_ERROR", f"the handler called sys.exit({e.code})")
        except BaseException as e:  # noqa: BLE001 - the user's exception becomes the run's error
            reply["error"] = error("PYTHON_RUNTIME_ERROR", f"{type(e).__name__}: {e}", user_traceback(e))
        CURRENT["run"] = None
        if os.getpid() != WORKER_PID:
            # A child the handler forked came back out of it: it must not answer for the run
            # or go on reading invocations meant for the worker.
            flush_streams()
            os._exit(0)
        reply["duration_ms"] = round((time.perf_counter() - t0) * 1000, 3)
        reply["memory_mb"] = memory_mb()
        if OUTPUT_DIR:
            # Saves the host a directory scan per run when the handler wrote no artifacts.
            try:
                reply["wrote_output"] = bool(os.listdir(OUTPUT_DIR))
            except OSError:
                reply["wrote_output"] = True
        flush_streams()
        w1 = written()
        if w0 is not None and w1 is not None and w1 - w0 == sent_bytes - s0:
            reply["quiet"] = True
        else:
            mark_end(run_id)
        send(reply, output)


def stream_chunks(run_id, gen):
    chunks = []
    if isinstance(gen, types.AsyncGeneratorType):
        async def drain():
            async for item in gen:
                send({"type": "chunk", "id": run_id, "data": item})
                chunks.append(item)
        event_loop().run_until_complete(drain())
    else:
        for item in gen:
            send({"type": "chunk", "id": run_id, "data": item})
            chunks.append(item)
    return chunks


if __name__ == "__main__":
    main()
