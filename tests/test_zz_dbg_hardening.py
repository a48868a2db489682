import time, requests
from benchmarks.load import callback_body

def test_dbg(server):
    s = requests.Session()
    deps = s.get(server + "/_dash-dependencies", timeout=60).json()
    weird = [{"$": 1}, [[None]], 1e308, True, "x" * 5000]
    slow = []
    for dep in deps:
        ids = {d["id"] for d in dep.get("inputs", []) + dep.get("state", []) if isinstance(d["id"], str)}
        for value in weird:
            props = {cid: {d["property"]: value for d in dep.get("inputs", []) + dep.get("state", [])} for cid in ids}
            body = callback_body(dep, props)
            if body is None:
                continue
            t = time.time()
            try:
                r = s.post(server + "/_dash-update-component", json=body, timeout=10)
                st = r.status_code
            except requests.exceptions.ReadTimeout:
                st = "TIMEOUT"; s = requests.Session()
            if time.time() - t > 1:
                slow.append((dep["output"][:60], repr(value)[:20], st, round(time.time() - t, 1)))
    print(slow)
    assert not slow
