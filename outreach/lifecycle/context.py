"""What a reply in a thread knows without ``--var``: the first message's variables, the meeting, the job landed."""

from __future__ import annotations

from collections.abc import Mapping

from ..models import Contact
from ..record import replace
from ..store.db import Store
from .threads import Threads

__all__ = ["inherit", "thread_variables"]

_CONTACT_KEYS = ("name", "email", "first_name", "last_name", "company", "position")


def thread_variables(store: Store, thread_id: str) -> dict[str, str]:
    """Variables for a reply in ``thread_id``: the first message's, then the meeting's, then the job.

    The meeting gives what was learned and promised (``learned``, ``action``, ``notes``) and, for a
    meeting at a networking event, the ``event``.

    Later sources win over earlier ones; empty values are left out.
    """
    threads = Threads(store)
    found: dict[str, str] = dict(store.first_variables(thread_id))
    view = threads.view(thread_id)
    if view is not None:
        for event in view.events:
            if event.kind == "met":
                found.update({k: str(event.detail[k]) for k in ("learned", "action", "notes", "event")
                              if event.detail.get(k)})
    landed = threads.milestone("landed")
    if landed is not None:
        found.update({new: str(landed.detail[old]) for old, new in (("company", "new_company"), ("role", "new_role"))
                      if landed.detail.get(old)})
    return {k: v for k, v in found.items() if isinstance(v, str) and v.strip()}


def inherit(store: Store, thread_id: str, contact: Contact,
            variables: Mapping[str, str]) -> tuple[Contact, dict[str, str]]:
    """A reply's contact and variables: ``--var`` over the contact's fields over what the thread knows."""
    inherited = thread_variables(store, thread_id)
    if not contact.name.strip() and inherited.get("name"):
        contact = replace(contact, name=inherited["name"])
    own = {k for k in ("company", "position") if getattr(contact, k).strip()}
    own |= {k for k, v in contact.fields.items() if str(v).strip()}
    extra = {k: v for k, v in inherited.items() if k not in own and k not in _CONTACT_KEYS}
    if "company" not in own and inherited.get("company"):
        contact = replace(contact, company=inherited["company"])
    if "position" not in own and inherited.get("position"):
        contact = replace(contact, position=inherited["position"])
    return contact, {**extra, **variables}
