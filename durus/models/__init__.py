"""The core schema. Importing this package registers every table on Base.metadata."""

from .audit import AuditEntry
from .base import Base
from .editorial import EditorialNote
from .enums import AccountState, MediaKind, PublicationState, Role, TextDirection
from .lectures import Lecture, LectureTopic
from .listening import Favourite, LibrarySeries, UserProgress
from .media import MediaAsset
from .reference import Language, Topic
from .scholars import EditorScope, Scholar
from .series import Series
from .slugs import SlugRedirect
from .users import User, UserCredential, UserIdentity

__all__ = [
    "AccountState",
    "AuditEntry",
    "Base",
    "EditorScope",
    "EditorialNote",
    "Favourite",
    "Language",
    "Lecture",
    "LectureTopic",
    "LibrarySeries",
    "MediaAsset",
    "MediaKind",
    "PublicationState",
    "Role",
    "Scholar",
    "Series",
    "SlugRedirect",
    "TextDirection",
    "Topic",
    "User",
    "UserCredential",
    "UserIdentity",
    "UserProgress",
]
