"""The VAPID keys of web push: making a pair, and the pair kept in the instance folder."""

from __future__ import annotations

import base64


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_vapid_keys() -> tuple[str, str]:
    """A P-256 key pair: base64url of the raw private key and of the uncompressed public point."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1())
    private = key.private_numbers().private_value.to_bytes(32, "big")
    public = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return b64url(private), b64url(public)


def public_key_from_private(private_key: str) -> str:
    """The uncompressed public point (base64url) of a VAPID private key given raw or PEM."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from companion.blueprints.reminders.delivery import vapid_key

    vapid = vapid_key(private_key)
    return b64url(vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint))


def instance_vapid_keys(instance_path: str) -> tuple[str, str]:
    """The VAPID keys kept in the instance folder, created on first use (like the secret key)."""
    from companion.config import instance_file

    private = instance_file(instance_path, "vapid_private_key", lambda: new_vapid_keys()[0])
    return private, public_key_from_private(private)
