"""The agents' queue: due and overdue first, AI drafts from the town's documents metered on the
town's STAFF line, replies with the AI mention, closing, services, and a log without text."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from accesscodes.models import AccessCode
from metering.models import Ledger, Reservation, UsageRecord
from providers.offline import OfflineProvider
from tests.support.providers import add_price
from townhall.drafts import DRAFT_RULES
from townhall.models import AI_MENTION, LogEntry, Service, TownRequest

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(aline):
    client = Client()
    client.force_login(aline)
    return client


def make_request(question="Le marché a-t-il lieu le samedi ?", sent_days_ago=0, due=None):
    code = AccessCode.issue()[0]
    sent = timezone.now() - dt.timedelta(days=sent_days_ago)
    return TownRequest.objects.create(
        code=code,
        question=question,
        created_at=sent,
        due_on=due or timezone.localdate() + dt.timedelta(days=5),
    )


def test_it_lists_overdue_requests_first_then_by_due_date(agent):
    today = timezone.localdate()
    later = make_request("Question à rendre plus tard", due=today + dt.timedelta(days=4))
    overdue = make_request("Question en retard", sent_days_ago=9, due=today - dt.timedelta(days=2))
    soon = make_request("Question à rendre demain", due=today + dt.timedelta(days=1))
    page = agent.get("/townhall/queue/").content.decode()
    order = [page.index(f"Demande n° {row.pk}<") for row in (overdue, soon, later)]
    assert order == sorted(order)
    assert "1 en retard" in page and "en retard depuis le" in page
    assert "envoyée il y a 1\xa0semaine, 2\xa0jours" in page  # its age (Django timesince)


def test_it_filters_the_queue_by_service(agent):
    waste = Service.objects.get_or_create(name="Déchets et propreté")[0]  # seeded unless flushed
    assigned = make_request("Quand passent les encombrants ?")
    other = make_request("Où refaire ma carte d'identité ?")
    agent.post(f"/townhall/queue/{assigned.pk}/service", {"service": waste.pk})
    page = agent.get(f"/townhall/queue/?service={waste.pk}").content.decode()
    assert "encombrants" in page and "carte d&#x27;identité" not in page
    assert TownRequest.objects.get(pk=other.pk).service is None
    assert LogEntry.objects.filter(action="assigned", request_number=assigned.pk).count() == 1


def test_it_drafts_from_the_documents_with_the_offline_provider_on_the_staff_line(agent, town):
    row = make_request()
    response = agent.post(f"/townhall/queue/{row.pk}/draft")
    assert response.status_code == 302
    row.refresh_from_db()
    assert "samedi matin place du Port" in row.draft  # the best extracts
    assert row.draft_provider == "offline"
    assert row.draft_sources[0]["title"] == "Magazine municipal de mars"
    page = agent.get(f"/townhall/queue/{row.pk}/").content.decode()
    assert "samedi matin place du Port" in page and "Magazine municipal de mars" in page
    assert "préparée avec l&#x27;aide de l&#x27;IA" in page  # the agent is told of the mention
    [record] = UsageRecord.objects.all()
    assert record.line == "staff" and record.code is None and record.kind == "offline"
    assert not Ledger.objects.filter(code=row.code).exists()  # never the resident's allowance


def test_it_drafts_with_the_active_provider_paid_from_the_town_budget(agent, town, fake_llm):
    add_price(fake_llm.config, 2, 10)
    fake_llm.script.chunks = ["Oui, le marché a lieu ", "le samedi matin [1]."]
    fake_llm.script.input_tokens, fake_llm.script.output_tokens = 120, 2
    row = make_request()
    agent.post(f"/townhall/queue/{row.pk}/draft")
    row.refresh_from_db()
    assert row.draft == "Oui, le marché a lieu le samedi matin [1]."
    assert row.draft_provider == "openai_compatible"
    sent = fake_llm.bodies[-1]["messages"]
    system = sent[0]["content"]
    assert DRAFT_RULES.strip() in system and "place du Port" in system
    assert sent[-1]["content"] == row.question
    [record] = UsageRecord.objects.all()
    assert record.line == "staff" and record.code is None
    # 120 input tokens at 2 EUR and 2 output tokens at 10 EUR per million: 260 micro-euros.
    assert record.cost_micros == 260
    town_ledger = Ledger.objects.get(key__startswith="town:")
    assert town_ledger.used_micros == 260 and town_ledger.reserved_micros == 0
    assert not Ledger.objects.filter(code__isnull=False).exists()


def test_it_falls_back_to_the_extracts_when_the_provider_refuses(agent, town, fake_llm):
    fake_llm.script.status = 400  # refused as malformed: only the offline provider is tried
    row = make_request()
    page = agent.post(f"/townhall/queue/{row.pk}/draft", follow=True).content.decode()
    row.refresh_from_db()
    assert row.draft_provider == "offline" and "place du Port" in row.draft
    assert "Le brouillon est prêt" in page


def test_it_tells_the_agent_when_no_draft_could_be_written(agent, town, monkeypatch):
    async def broken(self, request, tracker):
        raise RuntimeError("a bug")
        yield ""

    monkeypatch.setattr(OfflineProvider, "_chunks", broken)
    row = make_request()
    page = agent.post(f"/townhall/queue/{row.pk}/draft", follow=True).content.decode()
    row.refresh_from_db()
    assert row.draft == "" and row.drafted_at is None
    assert "Aucun brouillon n&#x27;a pu être écrit" in page
    # The draft's reservation was settled all the same: nothing stays held on the town.
    assert Ledger.objects.get(key__startswith="town:").reserved_micros == 0
    assert not Reservation.objects.exists()
    assert UsageRecord.objects.get().outcome == "error"


def test_it_sends_a_reply_built_from_a_draft_with_the_mention(agent, aline, town):
    row = make_request()
    agent.post(f"/townhall/queue/{row.pk}/draft")
    edited = "Bonjour, le marché a lieu chaque samedi matin, place du Port."
    response = agent.post(f"/townhall/queue/{row.pk}/reply", {"reply": edited})
    assert response.status_code == 302 and response["Location"] == "/townhall/queue/"
    row.refresh_from_db()
    assert row.status == "replied" and row.reply == edited and row.ai_assisted
    assert row.handled_by == aline and row.handled_at is not None
    entries = list(LogEntry.objects.values_list("actor_name", "action", "request_number"))
    assert entries == [("aline", "replied", row.pk), ("aline", "drafted", row.pk)]
    # The log holds who and what, never the words.
    assert not any(edited[:20] in str(value) for value in LogEntry.objects.values_list())


def test_it_sends_a_reply_without_the_mention_once_the_draft_is_discarded(agent, town):
    row = make_request()
    agent.post(f"/townhall/queue/{row.pk}/draft")
    agent.post(f"/townhall/queue/{row.pk}/discard-draft")
    page = agent.get(f"/townhall/queue/{row.pk}/").content.decode()
    assert str(AI_MENTION) not in page
    agent.post(f"/townhall/queue/{row.pk}/reply", {"reply": "Écrit à la main."})
    row.refresh_from_db()
    assert row.status == "replied" and not row.ai_assisted


def test_it_refuses_an_empty_reply_and_keeps_the_request_open(agent):
    row = make_request()
    response = agent.post(f"/townhall/queue/{row.pk}/reply", {"reply": "  "})
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.is_open and LogEntry.objects.count() == 0


def test_it_closes_a_request_without_a_reply(agent, english):
    row = make_request()
    agent.post(f"/townhall/queue/{row.pk}/close")
    row.refresh_from_db()
    assert row.status == "closed" and row.reply == "" and row.handled_at
    assert LogEntry.objects.get().action == "closed"


def test_it_does_not_reply_twice_to_a_request_handled_meanwhile(agent):
    row = make_request()
    agent.post(f"/townhall/queue/{row.pk}/reply", {"reply": "Première réponse."})
    page = agent.post(
        f"/townhall/queue/{row.pk}/reply", {"reply": "Seconde réponse."}, follow=True
    ).content.decode()
    row.refresh_from_db()
    assert row.reply == "Première réponse."
    assert f"La demande n° {row.pk} a déjà été traitée." in page


def test_it_lets_admins_act_as_agents_and_keeps_other_staff_out(adele, corinne, marius):
    row = make_request()
    for user, status in ((adele, 200), (corinne, 403), (marius, 403)):
        client = Client()
        client.force_login(user)
        assert client.get("/townhall/queue/").status_code == status
        assert client.get(f"/townhall/queue/{row.pk}/").status_code == status
