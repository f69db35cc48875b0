"""Typed, frozen models of the Bank 131 API (field names are the wire names)."""

from .balances import *  # noqa: F403
from .balances import __all__ as _balances
from .common import *  # noqa: F403
from .common import __all__ as _common
from .enums import *  # noqa: F403
from .enums import __all__ as _enums
from .fiscalization import *  # noqa: F403
from .fiscalization import __all__ as _fiscalization
from .fps import *  # noqa: F403
from .fps import __all__ as _fps
from .kyc import *  # noqa: F403
from .kyc import __all__ as _kyc
from .methods import *  # noqa: F403
from .methods import __all__ as _methods
from .self_employed import *  # noqa: F403
from .self_employed import __all__ as _self_employed
from .sessions import *  # noqa: F403
from .sessions import __all__ as _sessions
from .tokens import *  # noqa: F403
from .tokens import __all__ as _tokens
from .transfers import *  # noqa: F403
from .transfers import __all__ as _transfers
from .webhooks import *  # noqa: F403
from .webhooks import __all__ as _webhooks

__all__ = [*_common, *_enums, *_fiscalization, *_methods, *_sessions]
__all__ += _webhooks
__all__ += [*_kyc, *_self_employed, *_transfers]
__all__ += [*_balances, *_fps, *_tokens]
