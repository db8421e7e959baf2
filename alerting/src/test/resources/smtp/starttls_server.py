"""A real SMTP server for tests: STARTTLS required, AUTH required over TLS, messages to files.

Usage: starttls_server.py HOST PORT CERT KEY USER PASSWORD OUTDIR
Prints "ready" when it accepts connections; stops when its standard input closes.
"""
import os
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

host, port, cert, key, user, password, outdir = sys.argv[1:8]


class ToFiles:
    count = 0

    async def handle_DATA(self, server, session, envelope):
        ToFiles.count += 1
        name = os.path.join(outdir, "%03d.eml" % ToFiles.count)
        with open(name + ".tmp", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        os.rename(name + ".tmp", name)
        return "250 OK"


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login.decode() == user
        and auth_data.password.decode() == password
    )
    return AuthResult(success=ok)


tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
tls.load_cert_chain(cert, key)
controller = Controller(
    ToFiles(),
    hostname=host,
    port=int(port),
    tls_context=tls,
    require_starttls=True,
    auth_required=True,
    auth_require_tls=True,
    authenticator=authenticate,
)
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
