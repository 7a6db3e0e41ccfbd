"""The resolver's rules on small registries and days, and that its answer does not depend on order."""

from __future__ import annotations

import itertools
import random

import pytest

from claimflow.identity.files import Identities, KbEntry
from claimflow.identity.resolve import Known, Seen, group_key, is_state, person_key, resolve, state_id
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
        pytest.param("Joseph R. Biden Jr.", "Joseph Biden Jr.", id="a generational suffix stays"),
        pytest.param("Donald Trump, Jr.", "Donald Trump Jr.", id="a suffix after a comma"),
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


@pytest.mark.parametrize(
    ("articles", "joins"),
    [
        pytest.param({"Barack Obama": 2}, "Barack Obama", id="the only holder, not seen lately"),
        pytest.param({"Barack Obama": 9, "Michelle Obama": 3}, "Barack Obama", id="by far the likeliest of all time"),
        pytest.param({"Barack Obama": 4, "Michelle Obama": 3}, None, id="no recent holder, none by far: alone"),
    ],
)
def test_a_bare_surname_falls_back_to_all_articles_when_no_holder_is_recent(articles, joins):
    """Rule 3 weighs recent articles; an article whose day is outside every holder's recent days
    (a gold set spread over months, a quiet week) weighs them by all their articles instead."""
    people = [known(name, articles=n, recent=0) for name, n in articles.items()]
    bare = seen("Obama")
    assert resolve(people, [bare], day=DAY).ids[bare.entity_id] == (entity_id(joins, "PERSON") if joins else bare.entity_id)


def test_a_recent_holder_outweighs_one_only_seen_long_ago():
    bare = seen("Clinton")
    people = [known("Bill Clinton", articles=40, recent=0), known("Hillary Clinton", articles=2, recent=1)]
    assert resolve(people, [bare], day=DAY).ids[bare.entity_id] == entity_id("Hillary Clinton", "PERSON")


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
           seen("United States", "GPE"), seen("President Obama"), seen("Barack Obama", articles=2), seen("DJT"),
           seen("America", "GPE"), seen("Joe Biden"), seen("Joseph R. Biden Jr."), seen("Hillary Rodham Clinton"),
           seen("Republicans", "NORP"), seen("Republican", "NORP"), seen("Ted Kennedy"), seen("Edward Kennedy"),
           seen("Theodore Kennedy"), seen("George H. W. Bush"), seen("George W. Bush"), seen("George Bush"),
           seen("Donald Trump Jr."), seen("Republican Convention", "ORG"), seen("Republican National Convention", "ORG"),
           seen("Senate", "ORG"), seen("U.S. Senate", "ORG"), Seen(state_id("Washington"), "Washington", "GPE", 1)]
    first = resolve(registry, day, day=DAY, titles=TITLES, kb=KB)
    shuffle = random.Random(20)
    for _ in range(20):
        r, d, k = registry[:], day[:], list(KB)
        shuffle.shuffle(r), shuffle.shuffle(d), shuffle.shuffle(k)
        assert resolve(r, d, day=DAY, titles=TITLES, kb=k) == first
    # Trump, Clinton, Washington, United States, Obama, two Bidens (Jr. is a generation), Republicans,
    # three Kennedys, three Bushes, Trump's son, the convention, the Senate, the state of Washington
    assert len(set(first.ids.values())) == 18


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


@pytest.mark.parametrize(
    ("full", "other"),
    [
        pytest.param("Hillary Clinton", "Hillary Rodham Clinton", id="a middle name"),
        pytest.param("Ruth Ginsburg", "Ruth Bader Ginsburg", id="a middle name, the short form published"),
        pytest.param("John Kerry", "Sen. John Forbes Kerry", id="a title and a middle name"),
        pytest.param("George Walker Bush", "George W. Bush", id="a middle name and its initial"),
    ],
)
def test_a_middle_name_joins_the_person(full, other):
    resolution = resolve([known(full)], [seen(other)], day=DAY, titles=TITLES)
    assert resolution.ids[seen(other).entity_id] == entity_id(full, "PERSON")


def test_two_people_with_one_first_and_last_name_and_other_middles_stay_apart():
    """Father and son: "George Bush" could be either, and neither full name joins the other."""
    father, son, bare = known("George H. W. Bush"), known("George W. Bush"), seen("George Bush")
    resolution = resolve([father, son], [bare], day=DAY, titles=TITLES)
    assert len({resolution.ids[bare.entity_id], father.entity_id, son.entity_id}) == 3
    assert resolution.merges == {}


def test_a_middle_name_two_people_could_have_joins_neither():
    one, other, bare = known("Hillary Rodham Clinton"), known("Hillary Diane Clinton"), seen("Hillary Clinton")
    resolution = resolve([one, other], [bare], day=DAY)
    assert resolution.ids[bare.entity_id] == bare.entity_id


@pytest.mark.parametrize(
    ("formal", "short"),
    [
        pytest.param("Joseph R. Biden", "Joe Biden", id="Joe and an initial"),
        pytest.param("Joseph R. Biden Jr.", "Joe Biden Jr.", id="Joe, an initial and one suffix"),
        pytest.param("William Jefferson Clinton", "Bill Clinton", id="Bill and a middle name"),
        pytest.param("Michael Pence", "Mike Pence", id="Mike"),
        pytest.param("Stephen Bannon", "Steve Bannon", id="Steve of Stephen"),
        pytest.param("Charles Schumer", "Chuck Schumer", id="Chuck"),
    ],
)
def test_a_short_first_name_joins_the_formal_one(formal, short):
    resolution = resolve([known(formal)], [seen(short)], day=DAY, titles=TITLES)
    assert resolution.ids[seen(short).entity_id] == entity_id(formal, "PERSON")


def test_a_short_form_of_two_formal_names_joins_only_the_one_in_sight():
    ted = seen("Ted Kennedy")
    assert resolve([known("Edward Kennedy")], [ted], day=DAY).ids[ted.entity_id] == entity_id("Edward Kennedy", "PERSON")
    torn = resolve([known("Edward Kennedy"), known("Theodore Kennedy")], [ted], day=DAY)
    assert len(set(torn.ids.values()) | {entity_id("Edward Kennedy", "PERSON"), entity_id("Theodore Kennedy", "PERSON")}) == 3


def test_people_sharing_a_surname_stay_apart():
    """First names differ (a short form of neither): one family, several people, whatever the rules."""
    family = [known("Bill Clinton", articles=9), known("Hillary Clinton", articles=9), known("Chelsea Clinton", articles=1)]
    day = [seen("William Clinton"), seen("Hillary Rodham Clinton"), seen("Joe Biden"), seen("Jill Biden"),
           seen("Donald Trump"), seen("Donald J. Trump"), seen("Melania Trump"), seen("Ivanka Trump")]
    resolution = resolve(family, day, day=DAY, titles=TITLES)
    assert resolution.merges == {}
    named = {e.name: resolution.clusters[resolution.ids[e.entity_id]].name for e in day}
    assert named == {"William Clinton": "Bill Clinton", "Hillary Rodham Clinton": "Hillary Clinton", "Joe Biden": "Joe Biden",
                     "Jill Biden": "Jill Biden", "Donald Trump": "Donald Trump", "Donald J. Trump": "Donald Trump",
                     "Melania Trump": "Melania Trump", "Ivanka Trump": "Ivanka Trump"}


@pytest.mark.parametrize(
    ("name", "key"),
    [
        pytest.param("Republicans", "republican", id="plural"),
        pytest.param("Democratic", "democrat", id="adjective in -ic"),
        pytest.param("Democrats", "democrat", id="plural noun"),
        pytest.param("Tories", "tory", id="plural in -ies"),
        pytest.param("Swiss", "swiss", id="a singular in -ss"),
        pytest.param("Hispanics", "hispan", id="plural adjective: as its singular"),
    ],
)
def test_group_key(name, key):
    assert group_key(name) == key


def test_a_groups_singular_plural_and_adjective_are_one():
    forms = [seen("Republican", "NORP", 5), seen("Republicans", "NORP", 2), seen("Democratic", "NORP", 4),
             seen("Democrats", "NORP"), seen("Democrat", "NORP"), seen("Democratic", "ORG")]
    resolution = resolve([], forms, day=DAY)
    assert ids_of(resolution, *forms[:2]) == {entity_id("Republican", "NORP")}
    assert ids_of(resolution, *forms[2:]) == {entity_id("Democratic", "NORP")}


def test_a_groups_forms_join_groups_only():
    """"Democratic" the group is not the "Democratic Party" nor a person called "Democrat"."""
    group, party, person = seen("Democratic", "NORP"), seen("Democratic Party", "ORG"), seen("Democrats", "PERSON")
    resolution = resolve([], [group, party, person], day=DAY)
    assert len(ids_of(resolution, group, party, person)) == 3


@pytest.mark.parametrize(
    ("name", "other", "label"),
    [
        pytest.param("United States", "America", "GPE", id="America"),
        pytest.param("Myanmar", "Burma", "GPE", id="Burma"),
        pytest.param("United States", "America", "ORG", id="a label flipped"),
    ],
)
def test_a_countrys_other_name_is_one_place_across_articles(name, other, label):
    place, again = known(name, "GPE"), seen(other, label)
    assert resolve([place], [again], day=DAY).ids[again.entity_id] == place.entity_id


def test_a_name_longer_than_a_countrys_other_name_is_another_place():
    places = [known("United States", "GPE"), seen("Latin America", "LOC"), seen("America", "PERSON")]
    resolution = resolve(places[:1], places[1:], day=DAY)
    assert places[0].entity_id not in resolution.ids.values()


@pytest.mark.parametrize(
    ("published", "day"),
    [
        pytest.param("Donald Trump", "Donald Trump Jr.", id="the son after the father"),
        pytest.param("Donald Trump Jr.", "Donald Trump", id="the father after the son"),
        pytest.param("Donald Trump", "Donald Trump, Jr.", id="a suffix after a comma"),
        pytest.param("Donald J. Trump", "Donald J. Trump Jr.", id="one middle initial"),
        pytest.param("Martin Luther King Jr.", "Martin Luther King Sr.", id="two suffixes"),
        pytest.param("John Smith II", "John Smith III", id="two numerals"),
    ],
)
def test_a_generational_suffix_keeps_two_people_apart(published, day):
    """Father and son share every other word: the suffix is part of the name, whatever the order."""
    resolution = resolve([known(published)], [seen(day)], day=DAY, titles=TITLES)
    assert resolution.ids[seen(day).entity_id] == seen(day).entity_id
    assert resolution.merges == {}


def test_a_generational_suffix_keeps_its_own_name_forms_together():
    junior, titled = known("Donald Trump Jr."), seen("Mr. Donald J. Trump Jr.")
    resolution = resolve([known("Donald Trump", articles=9), junior], [titled], day=DAY, titles=TITLES)
    assert resolution.ids[titled.entity_id] == junior.entity_id


def test_a_bare_surname_weighs_the_son_as_a_holder():
    """"Trump" goes to the by far likeliest Trump, the son counted as one of the holders."""
    bare = seen("Trump", "ORG")
    likely = resolve([known("Donald Trump", articles=9), known("Donald Trump Jr.", articles=1)], [bare], day=DAY)
    assert likely.ids[bare.entity_id] == entity_id("Donald Trump", "PERSON")
    alike = resolve([known("Donald Trump", articles=3), known("Donald Trump Jr.", articles=2)], [bare], day=DAY)
    assert alike.ids[bare.entity_id] == bare.entity_id


def test_the_knowledge_base_does_not_link_a_son_to_his_father():
    son = seen("Donald Trump Jr.")
    resolution = resolve([], [son], day=DAY, kb=(KbEntry("Q22686", "Donald Trump", ("Donald J. Trump",), "PERSON"),))
    assert resolution.clusters[resolution.ids[son.entity_id]].kb_id is None


@pytest.mark.parametrize(
    ("full", "short", "label"),
    [
        pytest.param("Republican National Convention", "Republican Convention", "ORG", id="an inner word dropped"),
        pytest.param("Republican National Convention", "REPUBLICAN CONVENTION", "ORG", id="in capitals"),
        pytest.param("Democratic National Convention", "Democratic Convention", "EVENT", id="an event"),
        pytest.param("The New York Police Department", "New York Department", "ORG", id="a leading 'the' and two words"),
    ],
)
def test_a_short_form_without_inner_words_joins_the_longer_name(full, short, label):
    resolution = resolve([known(full, label)], [seen(short, label)], day=DAY)
    assert resolution.ids[seen(short, label).entity_id] == entity_id(full, label)


@pytest.mark.parametrize(
    ("registry", "short"),
    [
        pytest.param([known("Republican National Convention", "ORG"), known("Republican State Convention", "ORG")],
                     seen("Republican Convention", "ORG"), id="two holders alike: nothing"),
        pytest.param([known("New York Times", "ORG")], seen("New York", "GPE"), id="the last word kept"),
        pytest.param([known("Republican National Convention", "ORG")], seen("National Convention", "ORG"),
                     id="the first word kept"),
        pytest.param([known("Republican National Convention", "EVENT")], seen("Republican Convention", "ORG"),
                     id="one label family"),
        pytest.param([known("University of California", "ORG", articles=10), known("University of Southern California", "ORG", 1)],
                     seen("University of California", "ORG"), id="a form by far better known on its own"),
    ],
)
def test_a_short_form_of_an_organisation_joins_nothing_without_one_likely_holder(registry, short):
    resolution = resolve(registry, [short], day=DAY)
    assert resolution.ids[short.entity_id] == short.entity_id


@pytest.mark.parametrize(
    ("full", "short"),
    [
        pytest.param("United States Senate", "Senate", id="a country's senate"),
        pytest.param("U.S. Senate", "Senate", id="a country's abbreviation"),
        pytest.param("U.S. Supreme Court", "Supreme Court", id="two words"),
        pytest.param("Texas Senate", "Senate", id="a state's senate alone in sight"),
        pytest.param("Calif. Assembly", "Assembly", id="a state's abbreviation"),
    ],
)
def test_an_institution_without_its_place_joins_the_one_place_that_holds_it(full, short):
    resolution = resolve([known(full, "ORG")], [seen(short, "ORG")], day=DAY)
    assert resolution.ids[seen(short, "ORG").entity_id] == entity_id(full, "ORG")


@pytest.mark.parametrize(
    ("registry", "short"),
    [
        pytest.param([known("United States Senate", "ORG", 3), known("Texas Senate", "ORG", 2)], seen("Senate", "ORG"),
                     id="a state's senate in the news too: nothing"),
        pytest.param([known("U.S. House", "ORG", 9), known("White House", "ORG", 1)], seen("House", "ORG"),
                     id="a longer name not qualified by a place: nothing"),
        pytest.param([known("United States Senate", "ORG")], seen("Senate", "NORP"), id="only an organisation"),
        pytest.param([known("Texas Senate", "ORG", 5)], seen("Senate", "ORG", 50),
                     id="far better known than one state's: its own"),
    ],
)
def test_an_institution_without_its_place_joins_nothing_when_unsure(registry, short):
    resolution = resolve(registry, [short], day=DAY)
    assert resolution.ids[short.entity_id] == short.entity_id


def test_a_place_in_sight_qualifies_an_institution():
    """A country the packaged names do not list counts as a place once the lake has it as one."""
    senate = seen("Senate", "ORG")
    resolution = resolve([known("France", "GPE"), known("France Senate", "ORG")], [senate], day=DAY)
    assert resolution.ids[senate.entity_id] == entity_id("France Senate", "ORG")


@pytest.mark.parametrize(
    ("name", "label", "forms", "state"),
    [
        pytest.param("Washington", "GPE", ["Wash."], True, id="the state's abbreviation"),
        pytest.param("Washington", "GPE", ["WA", "Washington"], True, id="its postal code beside the plain name"),
        pytest.param("Washington", "GPE", ["Washington", "WASHINGTON"], False, id="the plain name: the city"),
        pytest.param("Nevada", "GPE", ["Nev."], False, id="a state no city shares its name with"),
        pytest.param("Washington", "ORG", ["Wash."], False, id="not a place"),
    ],
)
def test_a_state_is_told_from_the_city_by_its_abbreviation(name, label, forms, state):
    assert is_state(name, label, forms) is state


def test_the_state_named_like_a_city_keeps_an_id_of_its_own():
    city = known("Washington", "GPE", articles=9)
    state = Seen(state_id("Washington"), "Washington", "GPE", 1)
    first = resolve([city], [state, seen("Washington", "GPE")], day=DAY)
    assert first.ids == {state.entity_id: state_id("Washington"), entity_id("Washington", "GPE"): city.entity_id}
    assert first.clusters[state_id("Washington")].name == "Washington"
    published = Known(state_id("Washington"), "Washington", "GPE", 1, 1, "2026-11-20")
    again = resolve([city, published], [state, seen("WASHINGTON", "GPE")], day=DAY)
    assert again.ids == {state.entity_id: published.entity_id, entity_id("WASHINGTON", "GPE"): city.entity_id}
    assert again.merges == {}


def test_the_state_named_like_a_city_links_to_the_state_of_the_knowledge_base():
    state = Seen(state_id("Washington"), "Washington", "GPE", 1)
    kb = (*KB, KbEntry("Q1223", "Washington", ("Washington State", "State of Washington", "WA"), "GPE"))
    assert resolve([], [state], day=DAY, kb=KB).clusters[state_id("Washington")].kb_id is None  # not the capital
    assert resolve([], [state], day=DAY, kb=kb).clusters[state_id("Washington")].kb_id == "Q1223"


def test_a_country_institution_takes_its_bare_form_however_often_it_is_written():
    """In national news "Senate" is the country's, even in many more articles than "U.S. Senate"."""
    senate = seen("Senate", "ORG", 50)
    resolution = resolve([known("U.S. Senate", "ORG", 5)], [senate], day=DAY)
    assert resolution.ids[senate.entity_id] == entity_id("U.S. Senate", "ORG")
