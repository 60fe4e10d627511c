"""Sends N keep-alive requests of one kind (healthz, jwks, order, verify) to a factory, as one client.

Used by bench/instructions: the factory runs under callgrind, so what matters is that both runs
of a row send the same requests; only their number differs.
"""
import http.client
import json
import sys

host, port, kind, count, key = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
order = json.dumps({
    "diner": {"id": 719, "name": "j", "email": "j@jwt.com"},
    "order": {"items": [{"menuId": 1, "description": "Veggie", "price": 0.0038}],
              "storeId": "5", "franchiseId": 4, "id": 278},
})
headers = {"Authorization": "Bearer " + key, "Content-Type": "application/json"}
conn = http.client.HTTPConnection(host, port)
conn.request("POST", "/api/order", order, headers)
ticket = json.dumps({"jwt": json.loads(conn.getresponse().read())["jwt"]})
for _ in range(count):
    if kind == "healthz":
        conn.request("GET", "/healthz")
    elif kind == "jwks":
        conn.request("GET", "/.well-known/jwks.json")
    elif kind == "order":
        conn.request("POST", "/api/order", order, headers)
    else:
        conn.request("POST", "/api/order/verify", ticket, headers)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        sys.exit(f"{kind}: status {response.status}")
