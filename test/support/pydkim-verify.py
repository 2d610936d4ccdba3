#!/usr/bin/python3
"""Verifies the topmost DKIM-Signature of the message on stdin with dkimpy (Debian python3-dkim),
an implementation independent of nodemailer and mailauth. The key record comes from the command
line instead of DNS: argv[1] is the TXT name (<selector>._domainkey.<domain>), argv[2] the record.
Prints one JSON line: {"pass": bool, "d": ..., "s": ..., "reason": ...}; exit status 0 either way.
"""
import json
import sys

import dkim

name = sys.argv[1].lower().rstrip(".").encode("ascii")
record = sys.argv[2].encode("ascii")
message = sys.stdin.buffer.read()
asked = []


def dnsfunc(qname, timeout=5):
    asked.append(qname.decode("ascii", "replace"))
    return record if qname.lower().rstrip(b".") == name else None


def text(value):
    return value.decode("ascii", "replace") if isinstance(value, bytes) else ""


d = dkim.DKIM(message, minkey=1024)
reason = ""
try:
    ok = bool(d.verify(dnsfunc=dnsfunc))
except dkim.DKIMException as error:
    ok = False
    reason = str(error)
print(
    json.dumps(
        {
            "pass": ok,
            "d": text(d.domain),
            "s": text(d.selector),
            "asked": asked,
            "reason": reason,
        }
    )
)
