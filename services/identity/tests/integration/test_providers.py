"""Provider profiles: who lists whom, who edits what, and versions."""

from __future__ import annotations

import grpc
import pytest

from tenfour.common.v1 import common_pb2
from tenfour.events.v1 import identity_events_pb2 as ev
from tenfour.identity.v1 import identity_pb2 as pb

from .conftest import Stack, peer_profile, therapist_profile


def _listed(stack: Stack, agency_id: str) -> dict[str, ev.ProviderProfile]:
    md = stack.root.md
    return {
        p.provider_id: p
        for p in stack.api.stub.ListProviders(
            pb.ListProvidersRequest(agency_id=agency_id), metadata=md
        ).providers
    }


def test_each_agency_sees_its_peers_and_the_network_therapists(stack: Stack) -> None:
    for own, other in ((stack.a, stack.b), (stack.b, stack.a)):
        reply = stack.api.stub.ListProviders(
            pb.ListProvidersRequest(), metadata=own.officer.md
        )  # own by default
        listed = {p.provider_id: p for p in reply.providers}
        assert stack.therapist.user_id in listed
        assert own.peer.user_id in listed
        assert other.peer.user_id not in listed
        peer = listed[own.peer.user_id]
        assert peer.kind == common_pb2.PROVIDER_KIND_PEER
        assert list(peer.agency_ids) == [own.id]
        therapist = listed[stack.therapist.user_id]
        assert therapist.first_responder_competency == "lived_experience"
        assert therapist.first_responder_competent
        assert therapist.accepting_new_clients
        assert therapist.active


def test_therapist_edits_own_profile_and_operators_decide_who_they_serve(stack: Stack) -> None:
    stub = stack.api.stub
    therapist = stack.api.onboard_therapist(stack.root)
    changed = therapist_profile(
        languages=["es-mx", "en"], accepting_new_clients=False, agency_ids=[stack.b.id]
    )
    reply = stub.UpdateProviderProfile(
        pb.UpdateProviderProfileRequest(profile=changed), metadata=therapist.md
    )
    assert reply.provider_id == therapist.user_id
    assert list(reply.languages) == ["es-MX", "en"]
    assert not reply.accepting_new_clients
    assert list(reply.agency_ids) == []  # ignored: a therapist does not pick their agencies
    same = stub.UpdateProviderProfile(pb.UpdateProviderProfileRequest(profile=changed), metadata=therapist.md)
    assert same == reply  # nothing changed, no new version

    served = therapist_profile(agency_ids=[stack.b.id])
    served.provider_id = therapist.user_id
    stub.UpdateProviderProfile(pb.UpdateProviderProfileRequest(profile=served), metadata=stack.root.md)
    assert therapist.user_id in _listed(stack, stack.b.id)
    assert therapist.user_id not in _listed(stack, stack.a.id)

    version = stack.redis_client().get(f"identity:provider:{{dir}}:{therapist.user_id}")
    assert version is not None
    assert b'"version":3' in version


def test_peer_profile_rules(stack: Stack) -> None:
    stub = stack.api.stub
    licensed = peer_profile()
    licensed.jurisdictions.append("US-TX")
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdateProviderProfile(
            pb.UpdateProviderProfileRequest(profile=licensed), metadata=stack.a.peer.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    wrong_kind = peer_profile()
    wrong_kind.kind = common_pb2.PROVIDER_KIND_THERAPIST
    with pytest.raises(grpc.RpcError) as caught:
        stub.UpdateProviderProfile(
            pb.UpdateProviderProfileRequest(profile=wrong_kind), metadata=stack.a.peer.md
        )
    assert caught.value.code() == grpc.StatusCode.INVALID_ARGUMENT


def test_deactivated_providers_leave_the_list(stack: Stack) -> None:
    officer = stack.officer(stack.b)
    peer = stack.api.nominate(stack.b.admin, officer)
    assert peer.user_id in _listed(stack, stack.b.id)
    stack.api.stub.DeactivateUser(pb.DeactivateUserRequest(user_id=peer.user_id), metadata=stack.b.admin.md)
    assert peer.user_id not in _listed(stack, stack.b.id)


def test_nominating_twice_or_a_stranger(stack: Stack) -> None:
    stub = stack.api.stub
    again = pb.NominatePeerSupporterRequest(officer_user_id=stack.a.peer.user_id, profile=peer_profile())
    with pytest.raises(grpc.RpcError) as caught:
        stub.NominatePeerSupporter(again, metadata=stack.a.admin.md)
    assert caught.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    staff = pb.NominatePeerSupporterRequest(officer_user_id=stack.a.admin.user_id, profile=peer_profile())
    with pytest.raises(grpc.RpcError) as caught:
        stub.NominatePeerSupporter(staff, metadata=stack.a.admin.md)
    assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED


def test_a_profile_is_read_by_whoever_may_edit_it_and_by_nobody_else(stack: Stack) -> None:
    stub = stack.api.stub
    therapist = stack.api.onboard_therapist(stack.root)
    on_call = therapist_profile(modalities=["individual", "crisis_on_call"], bio="EMDR, shift work")
    stub.UpdateProviderProfile(pb.UpdateProviderProfileRequest(profile=on_call), metadata=therapist.md)

    own = stub.GetProviderProfile(pb.GetProviderProfileRequest(), metadata=therapist.md)
    assert own.provider_id == therapist.user_id
    assert set(own.modalities) == {"individual", "crisis_on_call"}
    assert own.bio == "EMDR, shift work"
    curated = stub.GetProviderProfile(
        pb.GetProviderProfileRequest(provider_id=therapist.user_id), metadata=stack.root.md
    )
    assert curated == own
    peer = stub.GetProviderProfile(
        pb.GetProviderProfileRequest(provider_id=stack.a.peer.user_id), metadata=stack.a.admin.md
    )
    assert list(peer.agency_ids) == [stack.a.id]

    for outsider, provider_id in (
        (stack.b.admin, stack.a.peer.user_id),  # another agency's peer
        (stack.a.admin, therapist.user_id),  # therapists are curated by operators
        (stack.a.peer, therapist.user_id),  # a colleague
        (stack.a.officer, stack.a.peer.user_id),  # officers see the public listing only
    ):
        with pytest.raises(grpc.RpcError) as caught:
            stub.GetProviderProfile(
                pb.GetProviderProfileRequest(provider_id=provider_id), metadata=outsider.md
            )
        assert caught.value.code() == grpc.StatusCode.PERMISSION_DENIED
    with pytest.raises(grpc.RpcError) as caught:
        stub.GetProviderProfile(pb.GetProviderProfileRequest(provider_id="u-missing"), metadata=stack.root.md)
    assert caught.value.code() == grpc.StatusCode.NOT_FOUND
