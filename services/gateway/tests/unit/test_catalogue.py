"""The JSON API's catalogue of RPCs, read from the protos."""

from __future__ import annotations

from tenfour_gateway.backends import build_catalogue


def test_unary_rpcs_are_exposed() -> None:
    catalogue = build_catalogue()
    for key in [
        ("scheduling", "FindSlots"),
        ("scheduling", "Book"),
        ("availability", "SetRules"),
        ("signaling", "Join"),
        ("signaling", "Admit"),
        ("identity", "GetMe"),
        ("identity", "BeginMfaSetup"),
    ]:
        assert key in catalogue
    rpc = catalogue[("scheduling", "FindSlots")]
    assert rpc.path == "/tenfour.scheduling.v1.SchedulingService/FindSlots"
    assert rpc.request.DESCRIPTOR.name == "FindSlotsRequest"


def test_streams_and_token_rpcs_have_their_own_routes() -> None:
    catalogue = build_catalogue()
    for key in [
        ("signaling", "Subscribe"),
        ("signaling", "Connect"),
        ("identity", "Login"),
        ("identity", "Refresh"),
        ("identity", "RedeemEnrolmentCode"),
        ("identity", "CompleteMfaSetup"),
        ("identity", "Logout"),
        ("identity", "GetJwks"),
        ("scheduling", "GetCalendarFeed"),
    ]:
        assert key not in catalogue


def test_no_generic_rpc_hands_tokens_to_javascript() -> None:
    for rpc in build_catalogue().values():
        assert rpc.response.DESCRIPTOR.full_name != "tenfour.identity.v1.AuthResult"
        assert "access_token" not in rpc.response.DESCRIPTOR.fields_by_name
