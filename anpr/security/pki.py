"""The project's certificate authority: one CA, the broker's server certificate, one client
certificate per agent or central worker (its common name is its MQTT user name).

Keys are ECDSA P-256, written with mode 0600; certificates are PEM. Everything lives in one
directory (`$ANPR_DATA_DIR/pki` unless told otherwise) that an operator copies from:
`ca.crt` goes to every device, `NAME.crt` + `NAME.key` to the one device called NAME.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_NAME = "ca"
BROKER_NAME = "broker"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
CA_DAYS = 3650
LEAF_DAYS = 825  # the longest validity TLS clients commonly accept


class PkiError(RuntimeError):
    pass


@dataclass(frozen=True)
class Identity:
    """What a client needs to connect over TLS: the CA to trust, its certificate and key."""

    name: str
    ca_file: Path
    cert_file: Path
    key_file: Path


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def _new_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _load_ca(pki_dir: Path) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    cert_path, key_path = pki_dir / f"{CA_NAME}.crt", pki_dir / f"{CA_NAME}.key"
    if not (cert_path.exists() and key_path.exists()):
        raise PkiError(f"no CA in {pki_dir}: run `anpr certs init` first")
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    return cert, key


def init_ca(pki_dir: Path, broker_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Identity:
    """Create the CA (kept if it exists) and a fresh broker certificate for `broker_hosts`."""
    pki_dir.mkdir(parents=True, exist_ok=True)
    os.chmod(pki_dir, 0o700)
    if not (pki_dir / f"{CA_NAME}.crt").exists():
        key = _new_key()
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ANPR network CA")])
        now = dt.datetime.now(dt.UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
            )
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256())
        )
        _write_private(pki_dir / f"{CA_NAME}.key", _key_pem(key))
        (pki_dir / f"{CA_NAME}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return _issue(pki_dir, BROKER_NAME, server_hosts=broker_hosts)


def issue(pki_dir: Path, name: str) -> Identity:
    """A client certificate whose common name is `name` (the broker takes it as the user name)."""
    if not NAME_PATTERN.match(name) or name in (CA_NAME, BROKER_NAME):
        raise PkiError(f"name {name!r}: letters, digits, '_', '.', '-' only, and not {CA_NAME}/{BROKER_NAME}")
    return _issue(pki_dir, name, server_hosts=None)


def _issue(pki_dir: Path, name: str, server_hosts: tuple[str, ...] | None) -> Identity:
    ca_cert, ca_key = _load_ca(pki_dir)
    key = _new_key()
    now = dt.datetime.now(dt.UTC)
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server_hosts else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=LEAF_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
    )
    if server_hosts:
        alt: list[x509.GeneralName] = []
        for h in server_hosts:
            try:
                alt.append(x509.IPAddress(ipaddress.ip_address(h)))
            except ValueError:
                alt.append(x509.DNSName(h))
        builder = builder.add_extension(x509.SubjectAlternativeName(alt), critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    key_file, cert_file = pki_dir / f"{name}.key", pki_dir / f"{name}.crt"
    _write_private(key_file, _key_pem(key))
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return Identity(name, pki_dir / f"{CA_NAME}.crt", cert_file, key_file)


def identity(pki_dir: Path, name: str) -> Identity:
    """An identity issued earlier."""
    ident = Identity(name, pki_dir / f"{CA_NAME}.crt", pki_dir / f"{name}.crt", pki_dir / f"{name}.key")
    if not ident.cert_file.exists():
        raise PkiError(f"no certificate for {name!r} in {pki_dir}: run `anpr certs issue {name}`")
    return ident
