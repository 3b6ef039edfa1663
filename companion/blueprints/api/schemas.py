"""Models of the API's resources shared by several endpoints."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from companion.blueprints.api.spec import Input
from companion.i18n import LANGUAGES
from companion.timezones import all_zones

# Every time zone the server accepts, so that the document names them (a client can offer the same list).
ZONES = sorted(all_zones())

Language = Literal[tuple(LANGUAGES)]  # type: ignore[valid-type]


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    role: Literal["participant", "counselor", "admin"]
    program: str | None = Field(description="The slug of the person's program, or null for personal use.")
    timezone: str = Field(description="IANA time zone name.")
    language: Language = Field(description="The language this person reads Companion in.")


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="Send it in the X-CSRFToken header of every unsafe request.")


class Credentials(Input):
    email: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=1024)


class ProfileIn(Input):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = Field(default=None, description="IANA time zone name, e.g. America/Chicago.",
                                 json_schema_extra={"enum": [*ZONES, None]})
    language: Language | None = Field(default=None, description="The language everything is shown in.")
