"""Who did something, as a bailleur may read it: a role, never a person.

Audit entries keep the full actor (« instructeur:prenom.nom@… », « bailleur:SIREN:… »): the chain
proves who acted. What leaves towards a bailleur says only which side acted.
"""

from __future__ import annotations

ROLES = {
    "bailleur": "bailleur",
    "instructeur": "instructeur",
    "systeme": "système",
    "ops": "Action Logement",
}


def public_actor(actor: str) -> str:
    """« instructeur » for « instructeur:jeanne.martin@… »; an unknown kind of actor is Action Logement."""
    return ROLES.get(actor.split(":", 1)[0], "Action Logement")
