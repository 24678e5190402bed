"""Who may call a field, declared once on the field: `extensions=allow()` (any signed-in viewer)
or `extensions=allow(Role.STAFF)`.

One story for every operation: no valid credentials (no token, or one that is unknown, revoked
or expired: the context then has no viewer) is UNAUTHENTICATED; a known viewer whose role may
not call the field is FORBIDDEN. A query or subscription field answers with a GraphQL error
carrying the code; a mutation answers with its payload, `errors` holding the same code, so a
client reads refusals of a mutation in one place. Resolvers and services do not repeat these
checks; they only decide what a viewer allowed to call the field may see (their own rows).
"""

from typing import Any

from graphql import GraphQLError
from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension
from strawberry.permission import BasePermission
from strawberry.types import Info
from strawberry.types.base import get_object_definition
from strawberry.types.field import StrawberryField

from service.auth import Role
from service.context import Context
from service.errors import CODE_OF, ErrorReason, Param
from service.errors import UserError as UserErrorRecord

SIGN_IN = "sign in: send Authorization: Bearer <token>"


class SignedIn(BasePermission):
    message = SIGN_IN
    reason = ErrorReason.SIGN_IN_REQUIRED
    params: dict[str, Param] = {}  # noqa: RUF012 - read only

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        return info.context.viewer is not None


class HasRole(BasePermission):
    reason = ErrorReason.ROLE_NOT_ALLOWED

    def __init__(self, roles: frozenset[Role]) -> None:
        self.roles = roles
        names = " or ".join(sorted(r.value.lower() for r in roles))
        self.message = f"only {names} accounts may do this"
        self.params: dict[str, Param] = {"roles": ", ".join(sorted(r.value for r in roles))}

    def has_permission(self, source: Any, info: Info[Context, None], **kwargs: Any) -> bool:
        viewer = info.context.viewer
        return viewer is not None and viewer.role in self.roles


class Allowed(FieldExtension):
    """The permission check of one field; a payload-returning mutation gets its refusal in the payload."""

    def __init__(self, roles: frozenset[Role]) -> None:
        self.permissions: list[SignedIn | HasRole] = [SignedIn()]
        if roles:
            self.permissions.append(HasRole(roles))
        self.roles = roles
        self.payload: type | None = None

    def apply(self, field: StrawberryField) -> None:
        definition = get_object_definition(field.type)
        if definition is not None and any(f.python_name == "errors" for f in definition.fields):
            self.payload = definition.origin

    def refusal(self, info: Info[Context, None]) -> SignedIn | HasRole | None:
        for permission in self.permissions:
            if not permission.has_permission(None, info):
                return permission
        return None

    def resolve(self, next_: Any, source: Any, info: Info[Context, None], **kwargs: Any) -> Any:
        refused = self.refusal(info)
        if refused is not None:
            return self._refuse(refused)
        return next_(source, info, **kwargs)

    async def resolve_async(
        self, next_: AsyncExtensionResolver, source: Any, info: Info[Context, None], **kwargs: Any
    ) -> Any:
        refused = self.refusal(info)
        if refused is not None:
            return self._refuse(refused)
        result = next_(source, info, **kwargs)
        if hasattr(result, "__anext__"):  # a subscription's generator
            return result
        return await result

    def _refuse(self, permission: SignedIn | HasRole) -> Any:
        if self.payload is None:
            raise GraphQLError(
                permission.message or "not allowed",
                extensions={"code": CODE_OF[permission.reason].value, "reason": permission.reason.value},
            )
        from schema.types import UserError  # schema.types declares its fields with allow()

        definition = get_object_definition(self.payload, strict=True)
        values: dict[str, Any] = {
            f.python_name: None
            for f in definition.fields
            if f.base_resolver is None and f.python_name != "errors"
        }
        values["errors"] = [UserError.from_record(UserErrorRecord((), permission.reason, permission.params))]
        return self.payload(**values)


def allow(*roles: Role) -> list[FieldExtension]:
    """The field's permission: any signed-in viewer, or only these roles."""
    return [Allowed(frozenset(roles))]
