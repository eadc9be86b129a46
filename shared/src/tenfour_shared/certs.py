"""`make certs`: a local CA, a certificate per process, and per-service Redis/NATS passwords.

    python -m tenfour_shared.certs OUT [--namespace NS] [--renew] [--new-ca] [--drop-previous-ca]

Idempotent: what exists is kept, what is missing is made, and leaf certificates that expire
within 30 days are reissued. Rotation (docs/operations.md): `--renew` reissues every leaf
certificate; `--new-ca` makes a new CA, keeps the old one in the trust bundle (`ca.pem`) and
reissues every leaf under the new one; once every process runs with the new files,
`--drop-previous-ca` removes the old CA from the bundle. Private keys are written 0600.

Layout of OUT: ca.pem (trust bundle), ca-cert.pem + ca-key.pem (the signing CA),
<name>.pem + <name>-key.pem per process, passwords.env (TENFOUR_NATS_PASSWORD_<NAME>=… and
TENFOUR_REDIS_PASSWORD_<NAME>=…), redis-users.acl, nats-auth.conf.
"""

from __future__ import annotations

import argparse
import datetime as dt
import ipaddress
import json
import os
import secrets
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from tenfour_shared import access

# Every process that presents a certificate: services, the gateway, the servers, operators' CLI.
LEAVES = (*access.SERVICES, "nats", "redis", "sentinel", "redis-proxy", "cli", access.ADMIN_USER)
CA_DAYS = 3650
LEAF_DAYS = 397
RENEW_BEFORE = dt.timedelta(days=30)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _write(path: Path, data: bytes, private: bool = False) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.touch(mode=0o600 if private else 0o644)
    tmp.write_bytes(data)
    tmp.replace(path)  # readers never see half a file


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def make_ca(out: Path) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"Tenfour local CA {_now():%Y-%m-%d}")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(_now() + dt.timedelta(days=CA_DAYS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    _write(out / "ca-key.pem", _key_pem(key), private=True)
    _write(out / "ca-cert.pem", _pem(cert))


def sans(name: str, namespace: str) -> list[x509.GeneralName]:
    """Names a peer may dial: compose/Kubernetes service names, StatefulSet pods, loopback."""
    dns = [name, f"{name}.{namespace}", f"{name}.{namespace}.svc", f"{name}.{namespace}.svc.cluster.local"]
    dns += [f"*.{name}-headless", f"*.{name}-headless.{namespace}.svc.cluster.local", "localhost"]
    ips = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1")]
    return [*(x509.DNSName(d) for d in dns), *(x509.IPAddress(i) for i in ips)]


def make_leaf(out: Path, name: str, namespace: str) -> None:
    ca_key = serialization.load_pem_private_key((out / "ca-key.pem").read_bytes(), None)
    assert isinstance(ca_key, ec.EllipticCurvePrivateKey)
    ca_cert = x509.load_pem_x509_certificate((out / "ca-cert.pem").read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(_now() - dt.timedelta(minutes=5))
        .not_valid_after(min(_now() + dt.timedelta(days=LEAF_DAYS), ca_cert.not_valid_after_utc))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False), critical=True
        )
        .add_extension(
            # Every process is both: a server to its callers and a client of its dependencies.
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]),
            critical=False,
        )
        .add_extension(x509.SubjectAlternativeName(sans(name, namespace)), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_cert.public_key()),  # type: ignore[arg-type]
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    _write(out / f"{name}-key.pem", _key_pem(key), private=True)
    _write(out / f"{name}.pem", _pem(cert))


def needs_renewal(path: Path) -> bool:
    if not path.exists():
        return True
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return cert.not_valid_after_utc - _now() < RENEW_BEFORE


def write_bundle(out: Path) -> None:
    bundle = (out / "ca-cert.pem").read_bytes()
    previous = out / "ca-previous.pem"
    if previous.exists():
        bundle += previous.read_bytes()
    _write(out / "ca.pem", bundle)


def read_passwords(out: Path) -> dict[str, str]:
    path = out / "passwords.env"
    saved: dict[str, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, value = line.partition("=")
            if key.startswith("TENFOUR_NATS_PASSWORD_"):
                saved[key.removeprefix("TENFOUR_NATS_PASSWORD_").lower()] = value
    return saved


def new_password() -> str:
    """192 random bits that every config reads as a string: NATS parses an unquoted value that
    starts with a digit or '-' (as token_urlsafe's may) as a number and refuses to start."""
    return "p" + secrets.token_hex(24)


def load_passwords(out: Path) -> dict[str, str]:
    """Per-principal passwords, made once and kept (passwords.env, 0600)."""
    saved = read_passwords(out)
    path = out / "passwords.env"
    for name in access.principals():
        saved.setdefault(name, new_password())
    # One password per principal for both servers: each server only knows its own copy.
    lines = [f"{access.nats_password_env(n)}={p}" for n, p in saved.items()]
    lines += [f"TENFOUR_REDIS_PASSWORD_{n.upper()}={p}" for n, p in saved.items()]
    _write(path, ("\n".join(lines) + "\n").encode(), private=True)
    return saved


def generate(
    out: Path,
    namespace: str = "tenfour",
    renew: bool = False,
    new_ca: bool = False,
    drop_previous_ca: bool = False,
) -> list[str]:
    """Make what is missing; return what was (re)made, for the operator's record."""
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, 0o700)
    made: list[str] = []
    if new_ca and (out / "ca-cert.pem").exists():
        _write(out / "ca-previous.pem", (out / "ca-cert.pem").read_bytes())
        renew = True
    if drop_previous_ca:
        (out / "ca-previous.pem").unlink(missing_ok=True)
        made.append("ca.pem (previous CA dropped)")
    if new_ca or not (out / "ca-cert.pem").exists():
        make_ca(out)
        made.append("ca-cert.pem")
    write_bundle(out)
    for name in LEAVES:
        if renew or needs_renewal(out / f"{name}.pem"):
            make_leaf(out, name, namespace)
            made.append(f"{name}.pem")
    passwords = load_passwords(out)
    _write(out / "redis-users.acl", access.redis_acl(passwords).encode(), private=True)
    _write(out / "nats-auth.conf", access.nats_authorization().encode())
    _write(out / "k8s-secrets.yaml", kubernetes_secrets(out, passwords).encode(), private=True)
    return made


def kubernetes_secrets(out: Path, passwords: dict[str, str]) -> str:
    """The Secrets deploy/k8s mounts, for `kubectl -n <ns> apply -f` (JSON documents are YAML)."""

    def tls(name: str) -> dict[str, str]:
        return {
            "ca.crt": (out / "ca.pem").read_text(),
            "tls.crt": (out / f"{name}.pem").read_text(),
            "tls.key": (out / f"{name}-key.pem").read_text(),
        }

    def secret(name: str, data: dict[str, str]) -> str:
        doc = {
            "apiVersion": "v1",
            "kind": "Secret",
            "type": "Opaque",
            "metadata": {"name": name, "labels": {"app.kubernetes.io/part-of": "tenfour"}},
            "stringData": data,
        }
        return json.dumps(doc, indent=2)

    docs = []
    for svc in access.SERVICES.values():
        data = tls(svc.name)
        if svc.nats:
            data["nats-password"] = passwords[svc.name]
        if svc.redis:
            data["redis-password"] = passwords[svc.name]
        docs.append(secret(f"{svc.name}-credentials", data))
    nats_env = {access.nats_password_env(n): p for n, p in passwords.items() if n in access.principals()}
    docs.append(secret("nats-credentials", {**tls("nats"), **nats_env}))
    redis_env = {
        f"TENFOUR_REDIS_PASSWORD_{s.name.upper()}": passwords[s.name]
        for s in access.SERVICES.values()
        if s.redis
    }
    docs.append(secret("redis-users", redis_env))
    # In-cluster Redis (components/redis-sentinel) is TLS-only: its pods, Sentinels and proxy.
    for name in ("redis", "sentinel", "redis-proxy"):
        docs.append(secret(f"{name}-credentials", tls(name)))
    return "\n---\n".join(docs) + "\n"


def process_env(out: Path, name: str) -> dict[str, str]:
    """TENFOUR_* settings for process `name` to use its certificate and its own users."""
    passwords = read_passwords(out)
    env = {
        "TENFOUR_TLS_CA_FILE": str(out / "ca.pem"),
        "TENFOUR_TLS_CERT_FILE": str(out / f"{name}.pem"),
        "TENFOUR_TLS_KEY_FILE": str(out / f"{name}-key.pem"),
    }
    if name in passwords:
        env |= {
            "TENFOUR_NATS_USER": name,
            "TENFOUR_NATS_PASSWORD": passwords[name],
            "TENFOUR_REDIS_USERNAME": name,
            "TENFOUR_REDIS_PASSWORD": passwords[name],
        }
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make certs", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--namespace", default="tenfour", help="Kubernetes namespace for the SANs")
    parser.add_argument("--renew", action="store_true", help="reissue every leaf certificate")
    parser.add_argument("--new-ca", action="store_true", help="start a CA rotation")
    parser.add_argument("--drop-previous-ca", action="store_true", help="finish a CA rotation")
    args = parser.parse_args(argv)
    made = generate(args.out, args.namespace, args.renew, args.new_ca, args.drop_previous_ca)
    print(f"{args.out}: " + (", ".join(made) if made else "up to date (nothing expires within 30 days)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
