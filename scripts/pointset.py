"""Labelled talking points: (answer, point, said or not) pairs across the shipped banks.

Written by hand to measure how well redrill decides whether an answer made a talking point
(``scripts/accuracy.py`` prints the table, ``tests/test_points.py`` holds the agreement at 90 % or
more). Each answer is one a good candidate might give to a shipped question; each point is written
the way a user writes a wish-I-said point after an interview (the content they meant to say, in
their own words). The label says whether the answer made the point *by meaning*; ``how`` says how
the answer put it:

* ``same``: with the point's own words;
* ``forms``: with other forms of its words (disagree/disagreed, rolled back/rollback, tests/tested);
* ``paraphrase``: in other words with the same meaning (synonyms, another construction);
* ``absent``: not made, though the answer is on the same topic and often shares words with it.

``RUBRIC`` holds the shipped banks' old rubric-style points ("the situation and what was at
stake") against good answers that do make them: they describe the shape of an answer, not its
words, which is why redrill now shows them as a self-check list instead of matching them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Pair:
    question_id: str
    answer: str
    point: str
    said: bool
    how: str  # same | forms | paraphrase | absent


def _pairs(question_id: str, answer: str, points: list[tuple[str, bool, str]]) -> list[Pair]:
    return [Pair(question_id, " ".join(answer.split()), point, said, how) for point, said, how in points]


ANSWERS: list[Pair] = [
    # --- behavioral.yaml
    *_pairs(
        "failure-story",
        """Last spring I shipped a schema migration that locked the orders table for twelve minutes.
        The stakes were high, because every checkout writes to that table. That was my mistake: I had
        tested it on a small staging copy, not on a copy the size of production. I rolled the release
        back within the hour and told the checkout team myself. Afterwards I added a step to our
        migration script that measures the table size first, and big tables now get an online
        migration.""",
        [
            ("rollback within an hour", True, "forms"),
            ("tested on a staging copy that was too small", True, "forms"),
            ("told the checkout team myself", True, "same"),
            ("migration script now checks table size first", True, "forms"),
            ("wrote a postmortem for the whole company", False, "absent"),
            ("asked the database team for a review", False, "absent"),
        ],
    ),
    *_pairs(
        "conflict-with-colleague",
        """Maya and I disagree about the schema for the new billing events. She wanted one wide table,
        I wanted an event log. I asked her to walk me through her reports, and it turned out she needed
        fast monthly totals. In the end we agree on a plan: an event log with a nightly rollup table for
        her reports. We still pair on billing work every week.""",
        [
            ("what we disagreed about", True, "forms"),
            ("how we agreed on a plan", True, "forms"),
            ("nightly rollup for her reports", True, "same"),
            ("we still pair every week", True, "same"),
            ("escalated it to our manager", False, "absent"),
            ("wrote a design document comparing both options", False, "absent"),
        ],
    ),
    *_pairs(
        "tight-deadline",
        """We had three weeks instead of eight to get the export feature ready for a regulator's
        deadline; missing it meant a fine. I cut scope to the two report formats the regulator
        actually asked for, and I sent a short status note to the stakeholders every Friday. We
        delivered two days early. What I learned is to ask what the hard requirement is before
        planning anything.""",
        [
            ("cutting scope to what the regulator required", True, "forms"),
            ("weekly status updates to stakeholders", True, "paraphrase"),
            ("delivered two days early", True, "same"),
            ("missing the deadline meant a fine", True, "forms"),
            ("hired a contractor to help", False, "absent"),
            ("worked through the weekends", False, "absent"),
        ],
    ),
    *_pairs(
        "mistake-you-made",
        """I once emailed a customer's invoice to the wrong customer. I noticed within minutes, told
        my manager straight away and called both customers to apologise. Since then I always check the
        recipient against the account number before I send anything with billing data, and we added
        that check to the team's checklist.""",
        [
            ("sent an invoice to the wrong customer", True, "paraphrase"),
            ("told my manager straight away", True, "same"),
            ("called both customers", True, "same"),
            ("checking the recipient against the account number", True, "forms"),
            ("blamed the email tool", False, "absent"),
        ],
    ),
    # --- general.yaml
    *_pairs(
        "tell-me-about-yourself",
        """I'm a backend engineer, six years in, the last three at a payments company where I lead
        the ledger team. What shaped me most was on-call: running systems that move money taught me
        to design for failure. The result I'm proudest of is moving our reconciliation from nightly
        batches to streaming, which cut the time to spot a missing payment from a day to minutes.
        This role is the next step because you're building payments infrastructure at a bigger
        scale.""",
        [
            ("six years as a backend engineer", True, "same"),
            ("leading the ledger team", True, "forms"),
            ("reconciliation moved from nightly batch to streaming", True, "forms"),
            ("cut the time to find a missing payment from a day to minutes", True, "paraphrase"),
            ("my degree in mathematics", False, "absent"),
            ("speaking at conferences", False, "absent"),
        ],
    ),
    *_pairs(
        "why-this-company",
        """I read your engineering blog post on moving to regional data centres, and the way you
        handled data residency is exactly the problem I want to work on. Your mission of making
        banking boring and safe matches what I care about. I can bring six years of payments
        experience to the platform team.""",
        [
            ("your blog post about regional data centres", True, "same"),
            ("data residency", True, "same"),
            ("six years of payments experience", True, "same"),
            ("your recent funding round", False, "absent"),
            ("a friend who works here recommended you", False, "absent"),
        ],
    ),
    # --- software-engineering.yaml
    *_pairs(
        "hard-production-bug",
        """Users started seeing other people's carts for a few seconds after login. I narrowed it down
        by replaying the load balancer logs and found the cache key was missing the session id for a
        single endpoint. The fix was one line, plus an integration test that logs in as two users at
        once. We also added an alert on cache hit rates per endpoint.""",
        [
            ("cache key was missing the session id", True, "same"),
            ("replayed the load balancer logs", True, "forms"),
            ("integration test with two users logging in at once", True, "forms"),
            ("alerting on cache hit rate", True, "forms"),
            ("rolled back the deploy", False, "absent"),
            ("users saw someone else's basket", True, "paraphrase"),
        ],
    ),
    *_pairs(
        "leading-without-authority",
        """Nobody owned our flaky end-to-end suite, so I started leading a small working group on it.
        I began by building a dashboard of the worst tests, writing a short guide on quarantining a
        flaky test, and teaching two volunteers from other teams to read the traces. Within a month
        the suite went from a third of runs failing to one in twenty.""",
        [
            ("led a working group on the flaky tests", True, "forms"),
            ("built a dashboard of the worst tests", True, "forms"),
            ("wrote a guide on quarantining flaky tests", True, "forms"),
            ("taught volunteers to read traces", True, "forms"),
            ("got my manager to make it an official project", False, "absent"),
        ],
    ),
    *_pairs(
        "mentoring-engineer",
        """When Sam joined he had never worked on a backend service. I paired with him twice a week
        and gave feedback on every pull request he opened. After two months I let him own the
        notification service: he wrote its runbook himself and led the next release.""",
        [
            ("pairing twice a week", True, "forms"),
            ("feedback on his pull requests", True, "forms"),
            ("he owns the notification service", True, "forms"),
            ("he's writing the runbook", True, "forms"),
            ("leading a release on his own", True, "forms"),
            ("sent him to a training course", False, "absent"),
        ],
    ),
    *_pairs(
        "testing-strategy",
        """I'd start with lots of fast unit tests for the business rules, then a handful of
        integration tests against a real database and the real message queue. Everything runs in CI on
        every pull request. In production I'd rely on monitoring and a few synthetic checks, because
        some failures only show up there.""",
        [
            ("many fast unit tests", True, "forms"),
            ("integration tests against real dependencies", True, "paraphrase"),
            ("tests run on every change", True, "paraphrase"),
            ("monitoring in production", True, "forms"),
            ("contract tests between services", False, "absent"),
            ("load testing before launch", False, "absent"),
        ],
    ),
    *_pairs(
        "unfamiliar-codebase",
        """First I read through the code around the change and run it locally, so I see how it really
        behaves. Before touching anything I write characterisation tests around the part I'm changing.
        Then I ship it in small pull requests that a reviewer can read in ten minutes, and I ask whoever
        knows the history of that module, because git blame only tells you so much.""",
        [
            ("read the code and run it first", True, "forms"),
            ("add tests around the change", True, "forms"),
            ("small changes that are easy to review", True, "paraphrase"),
            ("ask the people who know the history", True, "paraphrase"),
            ("rewrite the module from scratch", False, "absent"),
        ],
    ),
    *_pairs(
        "incident-postmortem",
        """Our login service went down for forty minutes when a certificate expired. I was incident
        commander: I got the right people on the call and kept the status page updated. The root cause
        was that certificate renewal depended on one person's calendar reminder. Afterwards we automated
        renewal and added an alert thirty days before any certificate expires, and the postmortem
        named no one.""",
        [
            ("an expired certificate took down login", True, "forms"),
            ("I was the incident commander", True, "same"),
            ("automated certificate renewal", True, "forms"),
            ("alert thirty days before expiry", True, "forms"),
            ("blameless postmortem", True, "paraphrase"),
            ("we lost customer data", False, "absent"),
        ],
    ),
    *_pairs(
        "technical-debt",
        """I look at how much a piece of debt slows us down: if every change to the billing module
        takes twice as long and breaks things, that's a cost I can put in days per quarter. Then I
        make the case in those terms to the product manager. Last year that got us a month to replace
        the old billing module, and our lead time for billing changes halved.""",
        [
            ("measure the slowdown in days per quarter", True, "forms"),
            ("make the case to the product manager", True, "same"),
            ("replaced the old billing module", True, "forms"),
            ("lead time halved", True, "forms"),
            ("rewrite everything from scratch", False, "absent"),
        ],
    ),
    # --- management.yaml
    *_pairs(
        "managing-underperformer",
        """One of my engineers kept missing sprint commitments. In our one-to-one I asked what was
        going on and learned she was stuck on an unfamiliar codebase and didn't want to ask for help.
        We agreed on clear weekly goals and I paired her with a senior engineer for a month. Within
        two months she was delivering on her commitments again.""",
        [
            ("asked what was going on in a one-to-one", True, "same"),
            ("paired her with a senior engineer", True, "same"),
            ("clear weekly goals", True, "same"),
            ("she was back on track within two months", True, "paraphrase"),
            ("started a formal performance plan", False, "absent"),
        ],
    ),
    *_pairs(
        "prioritising-roadmap",
        """I score every request on customer impact and effort, and I ask the requester what happens if
        we don't do it this quarter. That question alone removes half of the urgent requests. The rest
        I review with sales and support every month, so nobody is surprised by what we chose.""",
        [
            ("scoring requests on impact and effort", True, "forms"),
            ("asking what happens if we wait a quarter", True, "paraphrase"),
            ("monthly review with sales and support", True, "forms"),
            ("the CEO decides in the end", False, "absent"),
        ],
    ),
    # --- customer-facing.yaml
    *_pairs(
        "angry-customer",
        """A restaurant owner called furious because card payments had failed during his Friday dinner
        rush. I let him finish, said I understood he'd lost sales, and stayed on the line while I
        checked: his terminal had an old firmware version. I walked him through the update, and the
        next week I called him back to make sure everything was working.""",
        [
            ("let him finish before answering", True, "same"),
            ("the terminal firmware was out of date", True, "paraphrase"),
            ("walked him through the update", True, "same"),
            ("called back the following week", True, "forms"),
            ("offered him a refund", False, "absent"),
        ],
    ),
    *_pairs(
        "saying-no-to-customer",
        """A large client asked us to build a custom export just for them. I told them no, because it
        would have delayed features for every other customer, but I showed them how to get the same
        data from our API and offered to write the script with their analyst.""",
        [
            ("explained it would delay features for everyone else", True, "paraphrase"),
            ("offered an alternative through the API", True, "forms"),
            ("wrote the script with their analyst", True, "forms"),
            ("gave them a discount", False, "absent"),
        ],
    ),
    # --- data-analysis.yaml
    *_pairs(
        "sql-performance",
        """First I reproduce it and time it, so I know where the time really goes. Then I read the
        query plan: last time it showed a full scan on the events table because the filter was applied
        after a join. I added an index on the event date and moved the filter before the join, which
        took the report from four minutes to six seconds. Then I checked the totals matched the old
        report before switching over.""",
        [
            ("reproduce it and time it", True, "same"),
            ("read the query plan", True, "same"),
            ("index on the event date", True, "forms"),
            ("filtering before the join", True, "forms"),
            ("checked the totals still matched", True, "forms"),
            ("moved the report to a bigger warehouse", False, "absent"),
        ],
    ),
    # --- product-management.yaml
    *_pairs(
        "product-you-launched",
        """Our churn interviews kept mentioning slow onboarding, so I looked at the funnel and found
        forty percent of new teams never invited a second user. I wrote a one-page proposal for an
        invite step during setup, we shipped it as an experiment to half of new sign-ups, and
        activation went up eleven points. Engineering wanted to rebuild the whole onboarding, but we
        agreed to ship the small change first.""",
        [
            ("churn interviews pointed at onboarding", True, "paraphrase"),
            ("forty percent never invited a second user", True, "same"),
            ("ran it as an experiment on half of sign-ups", True, "paraphrase"),
            ("activation up eleven points", True, "same"),
            ("hired a designer for onboarding", False, "absent"),
        ],
    ),
    # --- tough.yaml
    *_pairs(
        "greatest-weakness",
        """I tend to say yes to too many requests. Last year it meant I was the bottleneck on reviews.
        Now I block two hours a day for my own work, and I point people to the team queue instead of
        taking requests in chat.""",
        [
            ("saying yes to too many requests", True, "forms"),
            ("I became the bottleneck on code reviews", True, "paraphrase"),
            ("blocking two hours a day for focused work", True, "forms"),
            ("I'm a perfectionist", False, "absent"),
        ],
    ),
    *_pairs(
        "gap-in-cv",
        """After my contract ended I took four months to care for my father after his surgery. During
        that time I also finished an online course in data engineering and built a small pipeline
        project that's on my GitHub.""",
        [
            ("caring for my father after surgery", True, "forms"),
            ("finished a data engineering course", True, "forms"),
            ("a pipeline project on GitHub", True, "same"),
            ("I was travelling abroad", False, "absent"),
        ],
    ),
]


def answer_to(question_id: str) -> str:
    """The labelled answer to one question."""
    return next(p.answer for p in ANSWERS if p.question_id == question_id)


RUBRIC: list[Pair] = [
    *_pairs(
        "failure-story",
        answer_to("failure-story"),
        [
            ("the situation and what was at stake", True, "rubric"),
            ("what went wrong and my part in it", True, "rubric"),
            ("how I owned it and fixed it", True, "rubric"),
            ("what I changed afterwards", True, "rubric"),
        ],
    ),
    *_pairs(
        "conflict-with-colleague",
        answer_to("conflict-with-colleague"),
        [
            ("what we disagreed about and why", True, "rubric"),
            ("I listened to understand their view", True, "rubric"),
            ("how we agreed on a way forward", True, "rubric"),
            ("how our working relationship ended up", True, "rubric"),
        ],
    ),
    *_pairs(
        "tell-me-about-yourself",
        answer_to("tell-me-about-yourself"),
        [
            ("where I am now in my career", True, "rubric"),
            ("the experience that shaped me most", True, "rubric"),
            ("a result I am proud of", True, "rubric"),
            ("why this role is my next step", True, "rubric"),
        ],
    ),
    *_pairs(
        "tight-deadline",
        answer_to("tight-deadline"),
        [
            ("the deadline and why it mattered", True, "rubric"),
            ("how I cut scope and set priorities", True, "rubric"),
            ("how I kept people informed", True, "rubric"),
            ("delivered on time and what I learned", True, "rubric"),
        ],
    ),
]
