"""`redrill prep`: key phrases of real job descriptions, the questions they rank first, the prep set
(opener, added talking points), saving it, and drilling it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from redrill.banks import Question, load_catalog
from redrill.prep import (
    KeyPhrase,
    build_prep,
    check_job_text,
    prep_catalog,
    prepare,
    rank_questions,
    term_key,
    terms,
    weigh_phrases,
)

JOBS = Path(__file__).parent / "jobs"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def ranked_ids(catalog, job: str, n: int) -> list[str]:
    prep = prepare("x", (JOBS / f"{job}.txt").read_text(), catalog)
    return [r.question.id for r in prep.ranking[:n]]


def bank_of(catalog, qid: str) -> str:
    return catalog.questions[qid].bank


# --- the ranking on real job descriptions ----------------------------------------------------------


def test_backend_engineer_ranks_engineering_questions_first(catalog):
    top = ranked_ids(catalog, "backend-engineer", 8)
    assert all(bank_of(catalog, q) == "Software engineering" for q in top), top
    # The ad asks for code review, pragmatic trade-offs, debugging production incidents and testing.
    assert {"code-review-disagreement", "design-tradeoff", "hard-production-bug", "testing-strategy"} <= set(top[:5])


def test_engineering_manager_ranks_people_management_first(catalog):
    top = ranked_ids(catalog, "engineering-manager", 6)
    assert sum(bank_of(catalog, q) == "Management and leadership" for q in top) >= 4, top
    assert {"hiring-decision", "growing-your-people", "managing-underperformer"} <= set(top), top
    assert top[0] == "hiring-decision"


def test_customer_success_ranks_customer_questions_first(catalog):
    top = ranked_ids(catalog, "customer-success", 8)
    assert all(bank_of(catalog, q) == "Customer-facing roles" for q in top), top
    # churn risk and escalations are named in the ad: the retention and angry-customer questions.
    assert {"building-rapport", "customer-about-to-leave", "angry-customer"} <= set(top[:4])


def test_data_analyst_ranks_data_questions_first(catalog):
    top = ranked_ids(catalog, "data-analyst", 8)
    assert all(bank_of(catalog, q) == "Data analysis" for q in top), top
    assert {"analysis-changed-decision", "sql-performance", "dashboard-nobody-used"} <= set(top[:4])


def test_product_manager_ranks_product_questions_first(catalog):
    top = ranked_ids(catalog, "product-manager", 8)
    assert all(bank_of(catalog, q) == "Product management" for q in top), top
    assert top[0] == "product-vision"  # "set the product vision and strategy" is the first thing the ad asks


def test_ranking_explains_itself_with_the_job_phrases_that_matched(catalog):
    prep = prepare("x", (JOBS / "customer-success.txt").read_text(), catalog)
    why = {r.question.id: r.matched for r in prep.ranking}
    assert any("churn" in m.lower() for m in why["customer-about-to-leave"])
    assert any("escalation" in m.lower() for m in why["angry-customer"])


def test_ranking_is_deterministic(catalog):
    text = (JOBS / "data-analyst.txt").read_text()
    first = [(r.question.id, r.relevance) for r in prepare("x", text, catalog).ranking]
    again = [(r.question.id, r.relevance) for r in prepare("x", text, catalog).ranking]
    assert first == again


# --- the pieces of the ranking --------------------------------------------------------------------


def test_word_families_and_spelling():
    assert term_key("management") == term_key("managing") == term_key("manage")
    assert term_key("manager") != term_key("management")  # "Customer Success Manager" manages no one
    assert term_key("analyst") == term_key("analytics") == term_key("analysis")
    assert term_key("prioritize") == term_key("prioritise") == term_key("prioritisation")
    assert term_key("leadership") == term_key("leading")
    assert term_key("tradeoffs") in terms("pragmatic trade-offs")  # matches the tag "tradeoffs"
    assert term_key("trade") in terms("trade-offs")
    assert terms("the team's work") == ["team", term_key("work")]


def test_boilerplate_phrases_are_dropped_and_weights_fall_with_rank():
    phrases = weigh_phrases(["5+ years of experience", "distributed systems", "Systems distributed", "code review"])
    assert [p.text for p in phrases] == ["distributed systems", "code review"]  # repeats of the same words go too
    assert phrases[0].weight == 1.0 and phrases[1].weight < 1.0


def test_rare_words_outweigh_common_ones():
    """A word many questions share counts for less than a word only one has (inverse document frequency)."""
    qs = [Question(id=f"q{i}", text="Tell me about your team.") for i in range(5)]
    qs.append(Question(id="postmortem-q", text="Tell me about a postmortem."))
    both = [KeyPhrase("team", 1.0, ("team",)), KeyPhrase("postmortem", 1.0, ("postmortem",))]
    ranking = rank_questions(both, qs)
    assert ranking[0].question.id == "postmortem-q"


def test_tags_outweigh_text_and_points():
    tagged = Question(id="a-tagged", text="Tell me something.", tags=("kafka",))
    in_text = Question(id="b-text", text="Tell me about kafka.")
    in_points = Question(id="c-points", text="Tell me something else.", talking_points=("kafka",))
    ranking = rank_questions([KeyPhrase("Kafka", 1.0, ("kafka",))], [in_points, in_text, tagged])
    assert [r.question.id for r in ranking] == ["a-tagged", "b-text", "c-points"]
    assert ranking[0].fields == ("tags",)


def test_own_points_count_for_relevance():
    q = Question(id="q", text="Tell me about a project.")
    other = Question(id="r", text="Tell me about a project.")
    ranking = rank_questions(
        [KeyPhrase("kafka migration", 1.0, ("kafka", "migration"))], [q, other], own_points={"r": ["kafka migration"]}
    )
    assert ranking[0].question.id == "r" and ranking[0].relevance > 0 and ranking[1].relevance == 0


# --- the prep set ----------------------------------------------------------------------------------


def test_prep_set_starts_with_the_opener_and_adds_job_terms(catalog):
    prep = prepare("acme", (JOBS / "backend-engineer.txt").read_text(), catalog, count=6)
    assert len(prep.questions) == 6
    opener = prep.questions[0]
    assert opener.opener and opener.question_id == "tell-me-about-yourself"
    assert opener.added_points == tuple(p.text for p in prep.phrases[:3])  # the job's top phrases
    bug = next(q for q in prep.questions if q.question_id == "hard-production-bug")
    assert "Debug production incidents" in bug.added_points
    assert all(len(p.split()) >= 2 for q in prep.questions[1:] for p in q.added_points)


def test_prep_catalog_checks_the_added_points_without_touching_the_banks(catalog):
    prep = prepare("acme", (JOBS / "backend-engineer.txt").read_text(), catalog)
    view = prep_catalog(catalog, prep)
    bug = next(q for q in prep.questions if q.question_id == "hard-production-bug")
    assert set(bug.added_points) <= set(view.questions["hard-production-bug"].talking_points)
    assert not set(bug.added_points) & set(catalog.questions["hard-production-bug"].talking_points)


def test_prep_set_round_trips_through_json(catalog):
    from redrill.prep import PrepSet

    prep = prepare("acme", (JOBS / "product-manager.txt").read_text(), catalog)
    back = PrepSet.from_json(json.loads(json.dumps(prep.to_json())))
    assert back.questions == prep.questions and [p.text for p in back.phrases] == [p.text for p in prep.phrases]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "is empty"), ("Backend engineer", "only 2 words"), ("x " * 60_000, "characters")],
)
def test_bad_job_descriptions_are_refused_clearly(text, message):
    from redrill.errors import RedrillError

    with pytest.raises(RedrillError, match=message):
        check_job_text(text)


def test_bad_prep_name_is_refused(catalog):
    from redrill.errors import RedrillError

    with pytest.raises(RedrillError, match="not a valid prep set name"):
        build_prep("Acme Backend!", "t", [KeyPhrase("x", 1.0, ("x",))], catalog)


# --- the command ----------------------------------------------------------------------------------


def test_prep_shows_then_saves_with_yes(cli):
    result = cli("prep", JOBS / "data-analyst.txt", "--name", "growth-analyst", "--count", "5", "--yes")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Key phrases" in out and "Data Analyst" in out
    assert "1. tell-me-about-yourself" in out and "+ points:" in out
    assert "Saved prep set 'growth-analyst'" in out and "redrill drill --prep growth-analyst" in out
    listed = cli("prep", "--list")
    assert "growth-analyst" in listed.output and "5 questions" in listed.output


def test_prep_from_stdin_is_not_saved_without_yes(cli):
    text = (JOBS / "customer-success.txt").read_text()
    result = cli("prep", "-", input=text)
    assert result.exit_code == 0, result.output
    assert "Not saved: no terminal to confirm at. Run again with --yes" in result.output
    assert "No prep sets yet" in cli("prep", "--list").output
    saved = cli("prep", "-", "--yes", input=text)
    assert "Saved prep set 'customer-success-manager-mid-market'" in saved.output


def test_prep_json_for_scripts(cli):
    result = cli("prep", JOBS / "backend-engineer.txt", "--json", "--name", "acme")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["saved"] is True
    assert data["prep"]["questions"][0]["opener"] is True
    assert data["prep"]["key_phrases"][0] == {"phrase": "Payments Platform", "weight": 1.0}
    assert len(data["prep"]["ranking"]) > 90  # every question, ranked
    again = cli("prep", "--list", "--json")
    assert json.loads(again.output)[0]["name"] == "acme"


def test_prep_delete_and_errors(cli, tmp_path):
    cli("prep", JOBS / "backend-engineer.txt", "--name", "acme", "--yes")
    assert "Deleted prep set 'acme'" in cli("prep", "--delete", "acme").output
    gone = cli("prep", "--delete", "acme")
    assert gone.exit_code == 1 and "no prep set named 'acme'" in gone.stderr
    missing = cli("prep", tmp_path / "nope.txt")
    assert missing.exit_code == 1 and "nope.txt: no such file" in missing.stderr
    latin = tmp_path / "job.txt"
    latin.write_bytes("Ingénieur backend\nNous cherchons\n".encode("latin-1"))
    bad = cli("prep", latin)
    assert bad.exit_code == 1 and f"{latin}:1: not UTF-8 text" in bad.stderr
    assert "Traceback" not in missing.stderr + bad.stderr
    usage = cli("prep")
    assert usage.exit_code == 2 and "give the job description" in usage.stderr


def test_drilling_a_prep_set_checks_the_job_terms(cli):
    """`redrill drill --prep NAME --text`: the set's questions in order, scored with the job's terms."""
    cli("prep", JOBS / "backend-engineer.txt", "--name", "acme", "--yes")
    answer = "I debug production incidents by reading the traces first, then I roll back."
    result = cli(
        "drill", "--prep", "acme", "--text", "--count", "1", "--question", "hard-production-bug", input=answer + "\n\n"
    )
    assert result.exit_code == 0, result.output
    assert "✓ Debug production incidents" in result.output
    unknown = cli("drill", "--prep", "acmee", "--text")
    assert unknown.exit_code == 1 and "no prep set named 'acmee'. Did you mean: acme?" in unknown.stderr
