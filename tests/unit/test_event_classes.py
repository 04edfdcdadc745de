"""Every event class keeps its stored topic, its fields (in order, with their defaults), its class
version and its upcasters (D65: an area's events are defined once, on the aggregate, from an
``AreaEvent`` declaration; the list below is what the classes were when the library's metaclass
defined them twice). A stored event is read by its topic and its fields: any change here would
change how existing ledgers read."""

import dataclasses

from eventsourcing.domain import CanMutateAggregate
from eventsourcing.utils import get_topic, resolve_topic

from aggregates import area_events
from aggregates.body import Body
from aggregates.client import Client
from aggregates.people import Person

# topic: (class_version, "field field=default ...", upcasters)
EVENTS = {
    'aggregates.client:Client.ActAnnotated': (1, 'originator_id originator_version timestamp act_version command ref note evidence actor occurred_on', ()),
    'aggregates.client:Client.ActReportedToRegulator': (1, 'originator_id originator_version timestamp key act act_id number reference actor occurred_on', ()),
    'aggregates.client:Client.ActSigned': (1, 'originator_id originator_version timestamp act_versions command meaning_zh meaning_en signer_id signer_name role key_id signed_at signature actor occurred_on', ()),
    'aggregates.client:Client.AppealAdmitted': (1, 'originator_id originator_version timestamp appeal_id accepted reason actor occurred_on deciders', ()),
    'aggregates.client:Client.AppealDecided': (1, 'originator_id originator_version timestamp appeal_id outcome result deciders actor occurred_on', ()),
    'aggregates.client:Client.AppealEffectGiven': (1, 'originator_id originator_version timestamp appeal_id kind target number status scope sites reason actor occurred_on', ()),
    'aggregates.client:Client.AppealExtended': (1, 'originator_id originator_version timestamp appeal_id limit until notice_on approved_by reason actor occurred_on', ()),
    'aggregates.client:Client.AppealHeard': (1, 'originator_id originator_version timestamp appeal_id hearing_on notice_given_on panel actor occurred_on', ()),
    'aggregates.client:Client.AppealLodged': (1, 'originator_id originator_version timestamp appeal_id against grounds late_override actor occurred_on', ()),
    'aggregates.client:Client.ApplicationReviewed': (1, 'originator_id originator_version timestamp application_id accepted reason actor occurred_on', ()),
    'aggregates.client:Client.ApplicationSubmitted': (1, 'originator_id originator_version timestamp application_id scheme_id scope sites headcount kind evidence actor occurred_on', ()),
    'aggregates.client:Client.AuditCancelled': (1, 'originator_id originator_version timestamp audit_id reason actor occurred_on', ()),
    'aggregates.client:Client.AuditCompleted': (1, 'originator_id originator_version timestamp audit_id conclusion actor occurred_on', ()),
    'aggregates.client:Client.AuditPlanned': (3, 'originator_id originator_version timestamp audit_id kind application_id team leader man_days sites start_on calculation method team_ids actor occurred_on', ('upcast_v1_v2', 'upcast_v2_v3')),
    'aggregates.client:Client.AuditReopened': (1, 'originator_id originator_version timestamp audit_id reason actor occurred_on', ()),
    'aggregates.client:Client.BusinessLinesDeclared': (1, 'originator_id originator_version timestamp application_id lines actor occurred_on', ()),
    'aggregates.client:Client.CauseVerified': (1, 'originator_id originator_version timestamp cause_id kind number reason_code verified_on facts actor occurred_on', ()),
    'aggregates.client:Client.CertificateCancelled': (1, 'originator_id originator_version timestamp number reason actor occurred_on', ()),
    'aggregates.client:Client.CertificateExpired': (1, 'originator_id originator_version timestamp number actor occurred_on', ()),
    'aggregates.client:Client.CertificateIssued': (1, 'originator_id originator_version timestamp number decision_id grade scheme_id scheme_version scope sites standard valid_from valid_until original_issue_on replaces actor occurred_on', ()),
    'aggregates.client:Client.CertificatePrinted': (1, 'originator_id originator_version timestamp print_id number certificate_version as_of sha256 file_name actor occurred_on', ()),
    'aggregates.client:Client.CertificateReissued': (1, 'originator_id originator_version timestamp number contents superseded change_id actor occurred_on', ()),
    'aggregates.client:Client.CertificateRestored': (1, 'originator_id originator_version timestamp number suspension_id reason actor occurred_on', ()),
    'aggregates.client:Client.CertificateSuspended': (1, 'originator_id originator_version timestamp suspension_id number reason_code reason start until actor occurred_on', ()),
    'aggregates.client:Client.CertificateWithdrawn': (1, 'originator_id originator_version timestamp withdrawal_id number reason_code reason actor occurred_on', ()),
    'aggregates.client:Client.CertificationDecided': (1, 'originator_id originator_version timestamp decision_id audit_id application_id decider scheme_id scheme_version score max_score percent grade granted reason evaluation actor occurred_on', ()),
    'aggregates.client:Client.ChangeAssessed': (1, 'originator_id originator_version timestamp change_id assessor outcomes conclusion actor occurred_on', ()),
    'aggregates.client:Client.ChangeFollowedUp': (1, 'originator_id originator_version timestamp change_id kind ref actor occurred_on', ()),
    'aggregates.client:Client.ChangeNotified': (1, 'originator_id originator_version timestamp change_id kind changed_on description actor occurred_on', ()),
    'aggregates.client:Client.ComplaintAdmitted': (1, 'originator_id originator_version timestamp complaint_id accepted deciders concerns about_client client_certified reason notice_on actor occurred_on', ()),
    'aggregates.client:Client.ComplaintClientInformed': (1, 'originator_id originator_version timestamp complaint_id how actor occurred_on', ()),
    'aggregates.client:Client.ComplaintReceived': (1, 'originator_id originator_version timestamp complaint_id complainant subject actor occurred_on', ()),
    'aggregates.client:Client.ComplaintResolved': (1, 'originator_id originator_version timestamp complaint_id result actor occurred_on', ()),
    'aggregates.client:Client.ContractSigned': (1, 'originator_id originator_version timestamp contract_no application_id actor occurred_on', ()),
    'aggregates.client:Client.CorrectionSubmitted': (1, 'originator_id originator_version timestamp nc_id correction corrective_action actor occurred_on', ()),
    'aggregates.client:Client.Created': (1, 'originator_id originator_version timestamp originator_topic', ()),
    'aggregates.client:Client.DecisionSuperseded': (1, 'originator_id originator_version timestamp decision_id supersedes appeal_id audit_id application_id decider scheme_id scheme_version score max_score percent grade granted reason evaluation actor occurred_on', ()),
    'aggregates.client:Client.Event': (1, 'originator_id originator_version timestamp', ()),
    'aggregates.client:Client.ItemExcluded': (1, 'originator_id originator_version timestamp audit_id item reason actor occurred_on', ()),
    'aggregates.client:Client.MasterDataChanged': (1, 'originator_id originator_version timestamp record_id values previous change_id holders description actor occurred_on', ()),
    'aggregates.client:Client.NonconformityClosed': (1, 'originator_id originator_version timestamp nc_id verification actor occurred_on', ()),
    'aggregates.client:Client.NonconformityRaised': (1, 'originator_id originator_version timestamp nc_id audit_id severity clause description actor occurred_on', ()),
    'aggregates.client:Client.PublishedOnWebsite': (1, 'originator_id originator_version timestamp key act act_id number where actor occurred_on', ()),
    'aggregates.client:Client.RefusalNotified': (1, 'originator_id originator_version timestamp application_id actor occurred_on', ()),
    'aggregates.client:Client.Registered': (1, 'originator_id originator_version timestamp originator_topic uscc name address actor occurred_on', ()),
    'aggregates.client:Client.ReportedToRegulator': (1, 'originator_id originator_version timestamp number reference actor occurred_on', ()),
    'aggregates.client:Client.ScopeChanged': (1, 'originator_id originator_version timestamp change_id number kind old_scope scope sites reason actor occurred_on', ()),
    'aggregates.client:Client.ScoreCorrected': (1, 'originator_id originator_version timestamp entry_id corrects audit_id item facet value reason actor occurred_on', ()),
    'aggregates.client:Client.ScoreEntered': (1, 'originator_id originator_version timestamp entry_id audit_id item facet value actor occurred_on', ()),
    'aggregates.client:Client.TeamObjected': (1, 'originator_id originator_version timestamp objection_id audit_id members reason actor occurred_on', ()),
    'aggregates.client:Client.TeamObjectionAnswered': (1, 'originator_id originator_version timestamp objection_id audit_id outcome reason actor occurred_on', ()),
    'aggregates.client:Client.TransferRequested': (1, 'originator_id originator_version timestamp transfer_id from_body certificate_no certificate_status reason actor occurred_on', ()),
    'aggregates.client:Client.UnscheduledAuditLinked': (1, 'originator_id originator_version timestamp audit_id kind cause_id since description actor occurred_on', ()),
    'aggregates.client:Client.WithdrawnCertificateRecalled': (1, 'originator_id originator_version timestamp withdrawal_id number statement reason actor occurred_on', ()),
    'aggregates.people:Person.ActAnnotated': (1, 'originator_id originator_version timestamp act_version command note evidence actor occurred_on', ()),
    'aggregates.people:Person.CcaaRegistrationRecorded': (1, 'originator_id originator_version timestamp number category valid_from valid_to actor occurred_on', ()),
    'aggregates.people:Person.CompetenceRecorded': (1, 'originator_id originator_version timestamp scheme_id codes actor occurred_on', ()),
    'aggregates.people:Person.Created': (1, 'originator_id originator_version timestamp originator_topic', ()),
    'aggregates.people:Person.Event': (1, 'originator_id originator_version timestamp', ()),
    'aggregates.people:Person.InterestDeclared': (1, 'originator_id originator_version timestamp uscc kind detail ended_on actor occurred_on', ()),
    'aggregates.people:Person.KeyAdded': (1, 'originator_id originator_version timestamp key_id public_key valid_from actor occurred_on', ()),
    'aggregates.people:Person.KeyRevoked': (1, 'originator_id originator_version timestamp key_id revoked_on reason actor occurred_on', ()),
    'aggregates.people:Person.Left': (1, 'originator_id originator_version timestamp left_on actor occurred_on', ()),
    'aggregates.people:Person.LoginMapped': (1, 'originator_id originator_version timestamp role name document_number actor occurred_on', ()),
    'aggregates.people:Person.LoginUnmapped': (1, 'originator_id originator_version timestamp role actor occurred_on', ()),
    'aggregates.people:Person.Registered': (1, 'originator_id originator_version timestamp originator_topic name document_kind document_number joined_on actor occurred_on', ()),
    'aggregates.people:Person.RolesGranted': (1, 'originator_id originator_version timestamp roles actor occurred_on', ()),
    'aggregates.people:Person.RolesWithdrawn': (1, 'originator_id originator_version timestamp roles reason actor occurred_on', ()),
    'aggregates.people:Person.SigningPolicySet': (1, "originator_id originator_version timestamp required_from acts actor occurred_on reason=''", ()),
    'aggregates.people:Person.TrainingRecorded': (1, 'originator_id originator_version timestamp scheme_id trained_on hours evidence actor occurred_on', ()),
    'aggregates.body:Body.ConflictDeclared': (1, 'originator_id originator_version timestamp conflict_id uscc kind detail note evidence actor occurred_on', ()),
    'aggregates.body:Body.ConflictEnded': (1, 'originator_id originator_version timestamp conflict_id reason note evidence actor occurred_on', ()),
    'aggregates.body:Body.Created': (1, 'originator_id originator_version timestamp originator_topic', ()),
    'aggregates.body:Body.Event': (1, 'originator_id originator_version timestamp', ()),
    'aggregates.body:Body.Opened': (1, 'originator_id originator_version timestamp originator_topic actor occurred_on', ()),
    'aggregates.body:Body.ReportSubmitted': (1, 'originator_id originator_version timestamp kind period reference correction note evidence actor occurred_on', ()),
}


def _events() -> dict[str, type]:
    found = {}
    for aggregate in (Client, Person, Body):
        for name, value in vars(aggregate).items():
            if isinstance(value, type) and issubclass(value, CanMutateAggregate):
                found[get_topic(value)] = value
    return found


def _shape(cls: type) -> tuple[int, str, tuple[str, ...]]:
    fields = " ".join(f.name if f.default is dataclasses.MISSING else f"{f.name}={f.default!r}" for f in dataclasses.fields(cls))
    return getattr(cls, "class_version", 1), fields, tuple(sorted(n for n in dir(cls) if n.startswith("upcast_")))


def test_every_event_class_keeps_its_topic_fields_version_and_upcasters():
    found = _events()
    assert sorted(found) == sorted(EVENTS)
    for topic, cls in found.items():
        assert _shape(cls) == EVENTS[topic], topic
        assert resolve_topic(topic) is cls, topic


def test_an_area_event_is_one_class_on_its_aggregate_with_the_areas_apply():
    for aggregate in (Client, Person, Body):
        for owner in aggregate.__mro__[1:]:
            for name, declared in vars(owner).items():
                if isinstance(declared, type) and issubclass(declared, area_events.AreaEvent):
                    event = getattr(aggregate, name)
                    assert event.__bases__ == (aggregate.Event,), name
                    assert event.apply is declared.apply, name
                    assert declared.__doc__ is None or event.__doc__ == declared.__doc__, name
                    assert not issubclass(declared, CanMutateAggregate), name


def test_an_area_event_applies_and_round_trips_through_the_mapper():
    from datetime import date

    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex
    from eventsourcing.utils import get_topic as topic_of

    from ledger.store.codec import register_transcodings

    client = Client.register(uscc="91330100716105852F", name="甲公司", address="杭州", actor="a", occurred_on=date(2026, 1, 5))
    client.trigger_event(Client.ChangeFollowedUp, change_id="N1", kind="audit", ref="A3", actor="a", occurred_on=date(2026, 2, 1))
    assert client.change_follow_ups == {"N1": {"audit": "A3"}}
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO()):
        transcoder.register(transcoding)
    register_transcodings(transcoder)
    mapper = Mapper(transcoder=transcoder)
    events = client.collect_events()
    stored = [mapper.to_stored_event(e) for e in events]
    assert stored[1].topic == "aggregates.client:Client.ChangeFollowedUp" == topic_of(type(events[1]))
    again = [mapper.to_domain_event(s) for s in stored]
    assert again == events
    replayed = None
    for e in again:
        replayed = e.mutate(replayed)
    assert replayed.change_follow_ups == {"N1": {"audit": "A3"}} and replayed.version == 2
