# A real aiosmtpd server for the email tests and benchmark: saves each accepted message
# (envelope, session facts and raw data) as one JSON file, or discards it (--discard).
import argparse
import asyncio
import itertools
import json
import os
import ssl
import time

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("--dir")
parser.add_argument("--port", type=int, default=0)
parser.add_argument("--mode", choices=["none", "starttls", "tls"], default="none")
parser.add_argument("--cert")
parser.add_argument("--key")
parser.add_argument("--auth", help="user:password the server accepts")
parser.add_argument("--tempfail-data", type=int, default=0, help="answer 451 to the first N DATA")
parser.add_argument("--discard", action="store_true")
parser.add_argument("--times", help="append '<accepted unix time>\\t<Subject>' per message to this file")
args = parser.parse_args()

# A restarted server (same directory) numbers on after what is there.
numbers = itertools.count(len([n for n in os.listdir(args.dir) if n.endswith(".json")]) + 1) if args.dir else itertools.count(1)


class Handler:
    def __init__(self):
        self.tempfails = args.tempfail_data

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("refuse"):
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.tempfails > 0:
            self.tempfails -= 1
            return "451 4.3.0 try again later"
        if args.times:
            subject = next((line[len(b"Subject: "):].decode("utf-8", "replace").strip()
                            for line in envelope.content.splitlines() if line.startswith(b"Subject: ")), "")
            with open(args.times, "a") as f:
                f.write("%.6f\t%s\n" % (time.time(), subject))
        if args.discard:
            return "250 OK"
        number = next(numbers)
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "peer_port": session.peer[1],
            "tls": session.ssl is not None,
            "authenticated": bool(session.authenticated),
            "data": envelope.content.decode("utf-8", "replace"),
        }
        temp = os.path.join(args.dir, "%06d.tmp" % number)
        with open(temp, "w") as f:
            json.dump(record, f)
        os.rename(temp, os.path.join(args.dir, "%06d.json" % number))
        return "250 OK queued as %d" % number


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = args.auth.split(":", 1)
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == user
          and auth_data.password.decode() == password)
    # handled=False: aiosmtpd then answers 535 itself (with the default it sends nothing).
    return AuthResult(success=ok, handled=False)


async def main():
    loop = asyncio.get_running_loop()
    context = None
    if args.mode != "none":
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
    options = {"hostname": "localhost", "loop": loop}
    if args.mode == "starttls":
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        options.update(authenticator=authenticator, auth_require_tls=False)
    handler = Handler()
    server = await loop.create_server(
        lambda: SMTP(handler, **options), "127.0.0.1", args.port,
        ssl=context if args.mode == "tls" else None)
    print("READY %d" % server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())
