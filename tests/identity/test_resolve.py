"""The resolver's rules on small registries and days, and that its answer does not depend on order."""

from __future__ import annotations

import itertools
import random

import pytest

from claimflow.identity.files import Identities, KbEntry
from claimflow.identity.resolve import Known, Seen, person_key, resolve
from claimflow.models import entity_id

DAY = "2026-11-26"
TITLES = frozenset({"president", "sen.", "mr."})


def known(name: str, label: str = "PERSON", articles: int = 3, recent: int | None = None, **kw) -> Known:
    return Known(entity_id(name, label), name, label, articles, articles if recent is None else recent, "2026-11-20", **kw)


def seen(name: str, label: str = "PERSON", articles: int = 1) -> Seen:
    return Seen(entity_id(name, label), name, label, articles)


def ids_of(resolution, *entities: Seen) -> set[str]:
    return {resolution.ids[e.entity_id] for e in entities}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("Donald J. Trump", "Donald Trump", id="middle initial"),
        pytest.param("President Donald Trump", "Donald Trump", id="title"),
        pytest.param("Sen. John F. Kerry", "John Kerry", id="title and initial"),
        pytest.param("J. K. Rowling", "J. K. Rowling", id="initials that open the name stay"),
        pytest.param("President Obama", "Obama", id="title before a surname"),
        pytest.param("Joseph R. Biden Jr.", "Joseph Biden", id="generational suffix"),
    ],
)
def test_person_key(name, key):
    assert person_key(name, TITLES) == key


def test_a_middle_initial_and_a_bare_surname_join_the_published_person():
    """Day 1 said "Donald Trump"; day 2 "Donald J. Trump" and "Trump", which the model labels ORG."""
    trump = known("Donald Trump")
    middle, bare = seen("Donald J. Trump"), seen("Trump", "ORG")
    resolution = resolve([trump], [middle, bare], day=DAY, titles=TITLES)
    assert ids_of(resolution, middle, bare) == {trump.entity_id}
    assert resolution.clusters[trump.entity_id].name == "Donald Trump"
    assert resolution.clusters[trump.entity_id].label == "PERSON"
    assert resolution.merges == {}  # the new forms were never published: nothing to record


def test_a_title_before_a_surname_joins_the_person():
    obama = known("Barack Obama")
    titled = seen("President Obama")
    assert ids_of(resolve([obama], [titled], day=DAY, titles=TITLES), titled) == {obama.entity_id}


def test_case_variants_and_a_label_flipped_between_gpe_and_org_are_one():
    shout, city = seen("WASHINGTON", "GPE"), seen("Washington", "GPE", 3)
    place, body = seen("United States", "GPE", 3), seen("United States", "ORG")
    resolution = resolve([], [shout, city, place, body], day=DAY)
    assert ids_of(resolution, shout, city) == {entity_id("Washington", "GPE")}
    assert ids_of(resolution, place, body) == {entity_id("United States", "GPE")}  # the majority label


def test_a_place_named_like_a_person_stays_a_place():
    george, city = known("George Washington"), seen("Washington", "GPE")
    assert ids_of(resolve([george], [city], day=DAY), city) == {city.entity_id}


@pytest.mark.parametrize(
    ("bill", "hillary", "joins"),
    [
        pytest.param(1, 1, None, id="two holders alike: alone"),
        pytest.param(1, 2, None, id="twice as likely is not by far"),
        pytest.param(1, 3, "Hillary Clinton", id="three times as likely: hers"),
        pytest.param(0, 1, "Hillary Clinton", id="the only recent holder"),
    ],
)
def test_a_bare_surname_joins_only_the_by_far_likeliest_holder(bill, hillary, joins):
    people = [known("Bill Clinton", recent=bill), known("Hillary Clinton", recent=hillary)]
    bare = seen("Clinton")
    target = resolve(people, [bare], day=DAY).ids[bare.entity_id]
    assert target == (entity_id(joins, "PERSON") if joins else bare.entity_id)


def test_a_holder_not_seen_in_recent_days_takes_no_surname():
    obama, bare = known("Barack Obama", recent=0), seen("Obama")
    assert resolve([obama], [bare], day=DAY).ids[bare.entity_id] == bare.entity_id


def test_the_days_own_full_names_weigh_with_the_registry():
    """"Trump" on a day with "Donald J. Trump" in it and "Donald Trump" in the registry: the two
    full forms are one person (rule 2) before the surname is weighed, so it is not torn between them."""
    melania = known("Melania Trump", recent=1)
    resolution = resolve([known("Donald Trump", recent=1), melania], [seen("Donald J. Trump", articles=2), seen("Trump")],
                         day=DAY, titles=TITLES)
    assert resolution.ids[seen("Trump").entity_id] == entity_id("Donald Trump", "PERSON")


def test_a_published_short_form_keeps_its_id_when_the_full_name_arrives():
    """Ids never change: "Trump" (published alone) stays the id, now named "Donald Trump"."""
    bare, full = known("Trump", "ORG"), seen("Donald Trump", articles=2)
    resolution = resolve([bare], [full], day=DAY)
    assert resolution.ids[full.entity_id] == bare.entity_id
    assert (resolution.clusters[bare.entity_id].name, resolution.clusters[bare.entity_id].label) == ("Donald Trump", "PERSON")


def test_two_published_ids_found_to_be_one_record_a_merge():
    """Published apart (two days resolved at once, say), joined when a day names both forms."""
    full, middle = known("Donald Trump", articles=5), known("Donald J. Trump", articles=2)
    resolution = resolve([full, middle], [seen("Trump")], day=DAY, titles=TITLES)
    assert resolution.merges == {middle.entity_id: full.entity_id}
    assert resolution.ids[seen("Trump").entity_id] == full.entity_id


def test_a_merged_id_seen_again_resolves_to_its_survivor():
    full = known("Donald Trump")
    middle = known("Donald J. Trump", merged_into=full.entity_id)
    again = seen("Donald J. Trump")
    resolution = resolve([full, middle], [again], day=DAY, titles=TITLES)
    assert resolution.ids[again.entity_id] == full.entity_id and resolution.merges == {}


def test_an_id_merged_into_one_that_merges_points_at_the_new_survivor():
    """Readers follow one hop: "DJT" merged into "Donald J. Trump" yesterday follows it into "Donald Trump"."""
    full, middle = known("Donald Trump", articles=5), known("Donald J. Trump", articles=2)
    nick = known("DJT", merged_into=middle.entity_id)
    resolution = resolve([full, middle, nick], [seen("Trump")], day=DAY, titles=TITLES)
    assert resolution.merges == {middle.entity_id: full.entity_id, nick.entity_id: full.entity_id}


def test_a_pin_joins_forms_no_rule_would_and_names_the_entity():
    pins = Identities(pins={"Donald Trump": ("DJT", "The Donald")})
    full, nick = known("Donald Trump"), known("DJT", articles=9)
    resolution = resolve([full, nick], [seen("The Donald")], day=DAY, identities=pins)
    assert resolution.merges == {nick.entity_id: full.entity_id}  # the pinned name's id survives
    assert resolution.ids[seen("The Donald").entity_id] == full.entity_id


def test_a_split_form_stands_alone_and_its_recorded_merge_is_undone():
    hillary = known("Hillary Clinton", recent=5)
    merged = known("Clinton", merged_into=hillary.entity_id)
    splits = Identities(splits=frozenset({"clinton"}))
    resolution = resolve([hillary, merged], [seen("Clinton")], day=DAY, identities=splits)
    assert resolution.ids[seen("Clinton").entity_id] == merged.entity_id
    assert resolution.merges == {merged.entity_id: None}


KB = (
    KbEntry("Q22686", "Donald Trump", ("Donald John Trump", "DJT"), "PERSON"),
    KbEntry("Q30", "United States of America", ("United States", "USA"), "GPE"),
    KbEntry("Q61", "Washington, D.C.", ("Washington",), "GPE"),
    KbEntry("Q23", "George Washington", ("Washington",), "PERSON"),
)


def test_entities_link_to_the_knowledge_base_by_name_and_alias():
    body, trump, city = seen("United States", "ORG"), seen("Donald J. Trump"), seen("Washington", "GPE")
    resolution = resolve([], [body, trump, city], day=DAY, titles=TITLES, kb=KB)
    assert {resolution.clusters[resolution.ids[e.entity_id]].kb_id for e in (body, trump, city)} == {"Q30", "Q22686", "Q61"}


def test_entities_the_knowledge_base_names_alike_are_one():
    """"DJT" is an alias of Q22686: no rule joins it to "Donald Trump", the knowledge base does."""
    full, nick = known("Donald Trump", articles=4), known("DJT", articles=1)
    resolution = resolve([full, nick], [], day=DAY, kb=KB)
    assert resolution.merges == {nick.entity_id: full.entity_id}
    assert resolution.clusters[full.entity_id].kb_id == "Q22686"


def test_an_alias_two_entries_share_links_to_neither():
    bare = seen("Washington", "PERSON")
    resolution = resolve([], [bare], day=DAY, kb=(*KB, KbEntry("Q1", "Denzel Washington", ("Washington",), "PERSON")))
    assert resolution.clusters[resolution.ids[bare.entity_id]].kb_id is None


def test_the_answer_does_not_depend_on_order():
    registry = [known("Donald Trump", articles=4), known("Donald J. Trump", articles=1), known("Bill Clinton", recent=1),
                known("Hillary Clinton", recent=3), known("Trump", "ORG", articles=1)]
    day = [seen("Trump"), seen("Clinton"), seen("WASHINGTON", "GPE"), seen("Washington", "GPE"), seen("United States", "ORG"),
           seen("United States", "GPE"), seen("President Obama"), seen("Barack Obama", articles=2), seen("DJT")]
    first = resolve(registry, day, day=DAY, titles=TITLES, kb=KB)
    shuffle = random.Random(20)
    for _ in range(20):
        r, d, k = registry[:], day[:], list(KB)
        shuffle.shuffle(r), shuffle.shuffle(d), shuffle.shuffle(k)
        assert resolve(r, d, day=DAY, titles=TITLES, kb=k) == first
    assert len(set(first.ids.values())) == 5  # Trump, Clinton, Washington, United States, Obama


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_one_day_split_into_shards_in_any_order_resolves_alike(order):
    """The day's entities are a set: however shards deliver them, the answer is one."""
    shards = [[seen("Donald J. Trump")], [seen("Trump", "ORG")], [seen("Donald Trump", articles=2)]]
    day = [e for i in order for e in shards[i]]
    resolution = resolve([], day, day=DAY, titles=TITLES)
    assert set(resolution.ids.values()) == {entity_id("Donald Trump", "PERSON")}


def test_a_full_name_is_no_short_form_of_a_longer_one():
    """"Rip Donald Trump" (a headline fragment) does not take "Donald Trump"."""
    full, longer = seen("Donald Trump", articles=5), seen("Rip Donald Trump")
    resolution = resolve([], [full, longer], day=DAY)
    assert resolution.ids[full.entity_id] != resolution.ids[longer.entity_id]


@pytest.mark.parametrize(
    ("person", "org", "one"),
    [
        pytest.param(7, 1, True, id="mostly a person: one"),
        pytest.param(1, 1, True, id="as often a person: one"),
        pytest.param(1, 7, False, id="mostly an organisation: two"),
    ],
)
def test_a_full_name_the_model_calls_an_organisation_joins_the_person(person, org, one):
    as_person, as_org = seen("Bernie Sanders", articles=person), seen("Bernie Sanders", "ORG", articles=org)
    resolution = resolve([], [as_person, as_org], day=DAY)
    assert (resolution.ids[as_person.entity_id] == resolution.ids[as_org.entity_id]) is one
