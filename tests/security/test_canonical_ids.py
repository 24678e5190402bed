"""One object, one ID (issue 7, item 10): other spellings of a global ID are not found."""

import base64

import pytest

from service.ids import from_global_id, to_global_id
from tests.flows import register_resident, submit
from tests.support import Api

READ = "query($id: ID!) { request(id: $id) { id } node(id: $id) { id } }"
CANCEL = "mutation($id: ID!) { cancelRequest(id: $id) { request { id } errors { path code } } }"


def spelled(raw: str, *, padded: bool = False, alphabet: str = "urlsafe") -> str:
    encode = base64.urlsafe_b64encode if alphabet == "urlsafe" else base64.standard_b64encode
    text = encode(raw.encode()).decode()
    return text if padded else text.rstrip("=")


def variants(pk: int) -> list[str]:
    arabic_indic = str(pk).translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"))
    fullwidth = str(pk).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    canonical = to_global_id("SupportRequest", pk)
    return [
        spelled(f"SupportRequest:+{pk}"),
        spelled(f"SupportRequest:000{pk}"),
        spelled(f"SupportRequest:{pk} "),
        spelled(f"SupportRequest: {pk}"),
        spelled(f"SupportRequest:{arabic_indic}"),
        spelled(f"SupportRequest:{fullwidth}"),
        spelled(f"SupportRequest:{pk}_0"),
        spelled(f"SupportRequest:{pk}", padded=True) if len(canonical) % 4 else canonical + "====",
        canonical + "=",
        " " + canonical,
        canonical + "\n",
        canonical.upper() if canonical != canonical.upper() else canonical + "A",
    ]


def test_only_the_canonical_spelling_decodes() -> None:
    for pk in (1, 7, 12, 123, 2**40):
        canonical = to_global_id("SupportRequest", pk)
        assert from_global_id(canonical) == ("SupportRequest", pk)
        for other in variants(pk):
            assert other != canonical
            assert from_global_id(other) is None, (pk, other, base64.urlsafe_b64decode(other + "=="))


@pytest.mark.parametrize("pk", [0, -1, 2**63])
def test_out_of_range_keys_are_not_ids(pk: int) -> None:
    assert from_global_id(spelled(f"SupportRequest:{pk}")) is None


async def test_other_spellings_read_as_not_found_through_the_api(api: Api) -> None:
    resident, _ = await register_resident(api)
    created = await submit(api, resident, "I need help reading a letter from the ward office")
    canonical = created["request"]["id"]
    _, raw_pk = base64.urlsafe_b64decode(canonical + "==").decode().split(":")
    found = await api.gql(READ, {"id": canonical}, resident)
    assert found["request"]["id"] == canonical and found["node"]["id"] == canonical
    for other in variants(int(raw_pk)):
        data = await api.gql(READ, {"id": other}, resident)
        assert data == {"request": None, "node": None}, other
        cancel = (await api.gql(CANCEL, {"id": other}, resident))["cancelRequest"]
        assert cancel == {"request": None, "errors": [{"path": ["id"], "code": "NOT_FOUND"}]}, other
    # Still there, still cancellable by its one ID.
    cancel = (await api.gql(CANCEL, {"id": canonical}, resident))["cancelRequest"]
    assert cancel["errors"] == [] and cancel["request"]["id"] == canonical
