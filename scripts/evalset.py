"""A labelled set of spoken answers with known truth, made with espeak-ng and exact silences.

Each answer is a list of spoken parts with silences of known length between them. The script of
every part marks its filled pauses in braces (``{um}``, ``{uhhh}``, ``{hmm}``; see
:data:`FILLER_SPEECH` for how each is spoken), while restarts are written as said ("I I", "the
the", "I'm, I'm", "we built, we built"). Speech is rendered through the espeak-ng library, which
reports where every word starts in the audio: so the truth is known word for word *and* in time,
and a detector's finds can be matched to what was really said where (``Answer.truth_items``).

Voices, rates, pitches and texts vary so that no figure is tuned to one voice. Some voices and
texts are held out (``Answer.heldout``, ``Answer.group``): the disfluency detector was not tuned on
them, and ``scripts/accuracy.py`` reports them separately; a second, fresh held-out group
was written after the detector's thresholds were set and is reported on its own too, as are a third,
a fourth and so on up to an eleventh group, each written later still (``GROUPS``). Used by
``scripts/accuracy.py``; builds into a cache folder (audio is rendered once per content).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import re
import wave
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

RATE = 16000
RENDERER = "libespeak-ng/4"  # part of the cache key: change it when rendering changes

# How each marked filler is spoken. Written "uh"/"um"/"er" are espeak-ng's short forms (0.2-0.4 s);
# the held vowel [[V:]] about 0.3 s (the held schwa [[@:]] is cut to 70 ms before a comma); the x-slow forms are stretched to 0.5-0.7 s, as people hold
# a filler while they think; [[hm:]] is a closed-mouth "hmm" (written "hmm" espeak-ng says "hum").
FILLER_SPEECH = {
    "um": "um",
    "uh": "uh",
    "er": "er",
    "erm": "erm",
    "hmm": "[[hm:]]",
    "uhh": "[[V:]]",
    "uhhh": '<prosody rate="x-slow">uh</prosody>',
    "umm": '<prosody rate="x-slow">um</prosody>',
    "err": '<prosody rate="x-slow">er</prosody>',
}
FILLERS = set(FILLER_SPEECH) | {"erm", "hmm"}
# Doubled words that are grammar, not restarts ("I knew that that was wrong").
LEGIT_DOUBLES = {"that", "had", "very", "really", "no", "yes", "yeah"}

# (voice, words per minute, pitch 0-99): the voices the detector was tuned on ...
VOICES = [
    ("en-us", 150, 50),
    ("en-gb", 170, 45),
    ("en-us+f3", 135, 60),
    ("en-gb+m3", 185, 40),
    ("en-us+m7", 160, 30),
    ("en-gb-x-rp+f2", 155, 70),
]
# ... and voices it never heard while it was tuned.
HELDOUT_VOICES = [("en-029+f4", 145, 65), ("en-gb-scotland+m2", 165, 35)]

QUESTIONS = {
    "eval-failure": (
        "Tell me about a time you failed.",
        ["rolled back the migration", "a reconciliation test", "what I learned"],
    ),
    "eval-limiter": (
        "Tell me about a rate limiter you designed.",
        ["token bucket per API key", "Redis for shared counters", "a blameless postmortem"],
    ),
    "eval-conflict": (
        "Tell me about a disagreement with a colleague.",
        ["what we disagreed about", "how I listened", "the plan we agreed on"],
    ),
    "eval-yourself": (
        "Tell me about yourself.",
        ["backend engineer for six years", "payments and billing", "why this role"],
    ),
    "eval-deadline": (
        "Tell me about a deadline you missed.",
        ["told the client early", "cut scope", "shipped the core feature"],
    ),
}

# (question, parts, silences between parts, points said)
SCRIPTS = [
    (
        "eval-failure",
        [
            "When the billing migration failed I rolled back the migration within an hour.",
            "Then I wrote a reconciliation test that compares invoices before and after.",
            "What I learned is that a dry run needs real checks.",
        ],
        [0.8, 2.6],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "So, {um}, the billing migration failed, and {uh}, I rolled back the migration.",
            "Then I I wrote a test, {um}, that compares the the invoices.",
            "And {uh}, that was it really.",
        ],
        [1.2, 3.4],
        [0],
    ),
    (
        "eval-failure",
        [
            "{um}, well, {uh}, the migration, the migration failed on a Friday.",
            "I, {uhh}, I rolled it back, and {um}, we talked about it, and {uh}, we moved on.",
            "{um}, I guess, I guess that was the main thing.",
        ],
        [2.2, 1.5],
        [],
    ),
    (
        "eval-limiter",
        [
            "We limited each client with a token bucket per API key.",
            "The counters lived in Redis for shared counters across every server.",
            "After one outage I wrote a blameless postmortem and we tuned the limits.",
        ],
        [0.7, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "{um}, so we had, {uh}, a token bucket per API key.",
            "And, {er}, we kept the counts in Redis, {um}, so all servers agreed.",
        ],
        [2.4],
        [0, 1],
    ),
    (
        "eval-limiter",
        ["We we built a limiter in the gateway.", "It it rejected requests over the limit, {uh}, with a clear error."],
        [1.1],
        [],
    ),
    (
        "eval-conflict",
        [
            "My colleague and I disagreed about the database schema.",
            "I listened to her concerns and asked what she was worried about.",
            "In the end we agreed on a plan to migrate in two steps.",
        ],
        [0.9, 2.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "{um}, we disagreed about, {uh}, the schema.",
            "I, {uhh}, I listened, and {um}, we talked.",
            "Then the the plan was, {uh}, to do it in two steps.",
        ],
        [1.6, 2.8],
        [0],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer for six years, mostly in payments and billing.",
            "I like owning systems end to end, from design to the pager.",
            "That is why this role, with its focus on reliability, appeals to me.",
        ],
        [0.6, 1.3],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "So, {um}, I have been an engineer for, {uh}, a while.",
            "I I worked on, {um}, various things.",
            "And {er}, yeah, I think I would be good here.",
        ],
        [2.0, 3.0],
        [],
    ),
    # Filled pauses the recognizer tends to drop: a closed-mouth "hmm", stretched fillers.
    (
        "eval-limiter",
        [
            "{hmm}, so the limiter was a token bucket per API key.",
            "{um}, each key had its own bucket, {uh}, in Redis for shared counters.",
            "And then, {er}, we wrote a blameless postmortem.",
        ],
        [1.0, 1.4],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "So the migration, {uhhh}, it failed on a Friday.",
            "I rolled back the migration, {umm}, within an hour.",
            "{err}, the fix was a reconciliation test.",
        ],
        [1.3, 0.9],
        [0, 1],
    ),
    # Restarts the recognizer tends to collapse ("I I" -> "I").
    (
        "eval-conflict",
        [
            "I I think we disagreed about the the schema.",
            "She she wanted one table, and I I wanted two.",
            "In the end we we agreed on a plan.",
        ],
        [1.2, 1.6],
        [0, 2],
    ),
    (
        "eval-yourself",
        [
            "I'm, I'm a backend engineer, and I've, I've been doing it for six years.",
            "Mostly, mostly in payments and billing.",
            "And I want, I want this role because of the team.",
        ],
        [1.1, 1.5],
        [0, 1, 2],
    ),
    # Fillers glued to the next or last word, with no pause around them ("time er" -> "timer").
    (
        "eval-limiter",
        [
            "We put the limit in the gateway {uh} because it saw every request.",
            "The shared counters lived in Redis {er} so every server agreed.",
            "It was done on time {er} and nobody noticed.",
        ],
        [1.0, 1.2],
        [1],
    ),
    # Concise, clean answers: any filler or restart found here is false.
    (
        "eval-conflict",
        ["We disagreed about the schema.", "I listened, and we agreed on a plan in two steps."],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "A token bucket per API key, with Redis for shared counters.",
            "After an outage I wrote a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, in payments and billing.",
            "I want this role because reliability matters to me.",
        ],
        [0.8],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "The migration failed, and I rolled back the migration.",
            "I knew that that was my mistake, so I wrote a reconciliation test.",
        ],
        [1.1],
        [0, 1],
    ),
    # Everything at once.
    (
        "eval-failure",
        [
            "{um}, so, the the migration, {uhhh}, it failed.",
            "And I, I rolled it back, {hmm}, eventually.",
            "We we learned, {er}, a lot.",
        ],
        [1.5, 1.0],
        [],
    ),
    (
        "eval-conflict",
        [
            "{hmm}, {hmm}, a disagreement.",
            "{umm}, my colleague wanted, {uh}, one big table.",
            "I I listened, and we split it in two steps.",
        ],
        [1.3, 0.8],
        [1],
    ),
    (
        "eval-limiter",
        [
            "We built, we built a token bucket per API key.",
            "The counts, the counts lived in Redis.",
            "And the postmortem, {um}, the postmortem was blameless.",
        ],
        [0.9, 1.2],
        [0, 2],
    ),
]

# Texts the detector was never tuned on, spoken by the held-out voices.
HELDOUT_SCRIPTS = [
    (
        "eval-deadline",
        [
            "{um}, we missed the deadline by a week.",
            "I I told the client early, {uh}, on the Monday.",
            "Then we cut scope and shipped the core feature.",
        ],
        [1.2, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "The the deadline slipped because of, {umm}, a vendor.",
            "I'm, I'm the one who told the client early.",
            "We cut scope {er} and shipped the core feature on time.",
        ],
        [1.0, 1.4],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        ["We missed a deadline once.", "I told the client early, we cut scope, and shipped the core feature."],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "{hmm}, it was, it was a hard quarter.",
            "We we cut scope, {uhhh}, quite a lot.",
            "And the client, {err}, was fine with it.",
        ],
        [1.1, 1.3],
        [1],
    ),
    (
        "eval-yourself",
        [
            "I lead a small platform team and I like hard problems.",
            "Before that I built billing systems for six years.",
        ],
        [1.0],
        [],
    ),
    (
        "eval-deadline",
        [
            "So, {uh}, I told them early.",
            "It it was a painful call, {um}, but it worked.",
            "We shipped the the core feature first.",
        ],
        [1.2, 0.9],
        [2],
    ),
]

# A second held-out group, written on 2026-12-06 after the detector's thresholds were set and run
# once on it as it then was (docs/accuracy.md, "Fresh held out"): new texts, restarts in new
# places (at an answer's start, "on on", "to to", "a a", "in, uh, in", two-word restarts), every
# clean answer full of neighbouring short words ("time I", "to the", "in the") that a restart
# detector can mistake for repeats, and two voices used nowhere else. Not to be tuned on.
FRESH_SCRIPTS = [
    (
        "eval-failure",
        [
            "So, {um}, I I think the main problem was, {uh}, that we we did not test the the release early enough.",
            "Next time I would, {hmm}, ask for a staging review first.",
        ],
        [1.0],
        [2],
    ),
    (
        "eval-conflict",
        [
            "My colleague wanted to rewrite the service, and I wanted to fix it in place.",
            "I asked him to walk me through his reasons, and we agreed on a plan to do both in stages.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "It it started when, {uh}, my colleague and I disagreed about the the schema.",
            "I listened to his side first, {um}, and then we we wrote the plan together.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "We used a token bucket per API key, and the counters lived in Redis.",
            "After the outage we wrote a blameless postmortem and shared it with the team.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "{umm}, so the limiter, the limiter kept a token bucket per API key.",
            "The counters were in, {er}, in Redis, and I I wrote a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I'm a backend engineer, and I have spent six years on payments and billing.",
            "I want this role because it is close to the customer and to the money.",
        ],
        [0.8],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "{uh}, I'm, I'm a backend engineer with, {um}, six years of experience.",
            "Most of that time was on on payments and billing, and I want this role to to grow.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "Our launch was late by two weeks, and I told the client as soon as I knew.",
            "We cut scope to the core feature and shipped that first, on the new date.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We we were two weeks late.",
            "{hmm}, I told the client early, and, {uh}, we cut the the scope.",
            "Then it it shipped, and the client was, {erm}, happy enough.",
        ],
        [0.9, 1.2],
        [0, 1],
    ),
    (
        "eval-failure",
        [
            "At my last job a data migration failed in the middle of the night.",
            "I rolled it back in an hour, and then I added a reconciliation test to the release checklist.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-failure",
        [
            "The the migration failed at night, and {um}, I rolled it, I rolled it back.",
            "Then I added a a test, {uhh}, that we now run before every release.",
        ],
        [1.1],
        [0],
    ),
    (
        "eval-conflict",
        [
            "{um}, she thought we should, we should ship on Friday, and I did not.",
            "In the end, {uh}, we, we agreed to ship on Monday with an extra review.",
        ],
        [1.0],
        [0, 2],
    ),
]
# Its voices: two tuning voices at other rates, the two held-out voices, and two used nowhere else.
FRESH_VOICES = [
    ("en-us", 175, 50),
    ("en-gb", 140, 45),
    ("en-029+f4", 145, 65),
    ("en-gb-scotland+m2", 165, 35),
    ("en-us+f2", 160, 55),
    ("en-gb+m1", 150, 40),
]

# A third held-out group, written on 2026-12-06 (sixth session) after every threshold and rule of the
# detector had been set, the hesitation-spelling rule included (read from the first two held-out
# groups, so their gain there is not unseen evidence; this group is). Written before the detector was
# run on it: new texts, restarts after fillers and at starts of sentences, two-word restarts, a
# contraction restarted, clean answers with many short neighbouring words, and four voices used
# nowhere else. Not to be tuned on.
THIRD_SCRIPTS = [
    (
        "eval-failure",
        [
            "The nightly import broke on a Sunday, and I was the one on call.",
            "I paused the job, fixed the date parser, and ran it again by nine.",
        ],
        [1.0],
        [0],
    ),
    (
        "eval-failure",
        [
            "{uh}, the the nightly import broke, and I was, {um}, I was on call.",
            "So I, {er}, I paused it and, {uhh}, we we fixed the parser by nine.",
        ],
        [1.1],
        [0],
    ),
    (
        "eval-limiter",
        [
            "It was a sliding window on top of a token bucket for each API key.",
            "We kept the counts in Redis so all of the servers saw the same numbers.",
        ],
        [0.9],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "{erm}, it was a, it was a token bucket for each API key.",
            "And the the counts were kept in, {hmm}, in Redis, so so every server agreed.",
        ],
        [1.2],
        [0, 1],
    ),
    (
        "eval-conflict",
        [
            "A designer and I did not agree on the sign up flow for the app.",
            "I asked her what users told her, and we tested both of them for a week.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "My, my designer and I did not agree on, {um}, on the sign up flow.",
            "I asked her, {uhhh}, what users said, and and we tested both for a week.",
        ],
        [0.8],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, most of it in payments.",
            "I would like to work on billing for a team that is close to its users.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-yourself",
        [
            "I've, I've been a backend engineer for, {umm}, for six years.",
            "Mostly in in payments, and, {err}, I'd like to to work on billing.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-deadline",
        [
            "We missed the date by a week, so I called the client on the same day.",
            "We shipped the core report first and left the exports for the next release.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "{um}, we missed it by a, by a week, and I I called the client.",
            "We shipped, {uh}, the core report first, and the, the exports came later.",
        ],
        [0.9],
        [0, 1, 2],
    ),
]
# Its voices: four voices (accents and variants) used nowhere else in the set.
THIRD_VOICES = [
    ("en-us-nyc", 158, 48),
    ("en-gb-x-gbclan+f1", 150, 62),
    ("en-gb-x-gbcwmd+m4", 172, 38),
    ("en-gb-x-rp+m5", 145, 45),
]

# A fourth held-out group, written on 2026-12-07 (seventh session) before any change of that session
# and before the detector was run on it: the third group had prompted a rule (restarts only around
# function words), so its later figures were no longer unseen. New texts (restarts inside longer
# sentences, after commas, of pronouns and prepositions, two fillers in a row; clean answers dense
# with short neighbouring words) and four voices used nowhere else, one of them espeak-ng's Klatt
# synthesiser. Not to be tuned on.
FOURTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "Our payment retries sent the same charge twice, and a few customers were billed again.",
            "I rolled back the migration that day and wrote a reconciliation test for it.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-failure",
        [
            "Our payment retries, {um}, they they sent the same charge twice.",
            "I rolled back the, the migration, and {uhh}, then I, I wrote a reconciliation test.",
        ],
        [1.2],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "Each client got a token bucket per API key, refilled once a second.",
            "The buckets lived in Redis, so a request on any server used the same count.",
        ],
        [0.9],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "Each client, {er}, each client got a token bucket per API key.",
            "The buckets were in in Redis, {um}, {uh}, so any server could read them.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-conflict",
        [
            "Our lead wanted to drop the old API at once, and I wanted a month of warning.",
            "I listened to why it was urgent for him, and we agreed on two weeks.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "Our lead wanted to to drop the old API, {hmm}, at once.",
            "I listened to to his reasons, and {err}, we we agreed on two weeks.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "For six years I have been a backend engineer, first in retail and then in payments.",
            "This role is on billing, which is the part of payments I like most.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "For, for six years, {uh}, I have been a backend engineer.",
            "Mostly payments, and this role is on on billing, {umm}, which I I like most.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "The report was due on a Monday, and by Thursday I knew it would be late.",
            "I told the client early, cut the scope to the charts, and shipped the core feature.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "By Thursday I I knew, {um}, that it would be late.",
            "So I told the client early, {uh}, we cut the scope, and we, we shipped it.",
        ],
        [1.0],
        [0, 1, 2],
    ),
]
# Its voices: four voices (variants and a synthesiser) used nowhere else in the set.
FOURTH_VOICES = [
    ("en-us+klatt2", 152, 44),
    ("en-gb-scotland+f3", 168, 64),
    ("en-029+m6", 140, 36),
    ("en-gb-x-gbcwmd+f5", 178, 56),
]

# A fifth held-out group, written on 2026-12-07 (eighth session) before the detector was run on it
# and with the detector unchanged since the fourth group was read. The fourth group's figures stopped
# being unseen when its missed fillers and restarts were read. New texts (restarts of a, by, for, our,
# her, because; a restart across a filler; a filler opening an answer; clean answers dense with short
# neighbouring words such as "to a", "of the", "it to") and four voices used nowhere else, one of
# them espeak-ng's third Klatt synthesiser. Not to be tuned on.
FIFTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "Last spring a schema change locked the orders table for an hour at peak time.",
            "I rolled back the migration, and then I wrote a reconciliation test to run before each deploy.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-failure",
        [
            "Last spring a, a schema change, {um}, locked the orders table for an hour.",
            "I rolled back the migration, and, {er}, then I I wrote a reconciliation test to to run first.",
        ],
        [1.1],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "Our public API was flooded by one client, so I built a token bucket per API key.",
            "We used Redis for shared counters, so each of the servers saw the same limit.",
        ],
        [0.9],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "Our API was flooded by by one client, {uh}, so I built a token bucket per API key.",
            "We used Redis for, {hmm}, for shared counters, so each of the the servers saw the same limit.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-conflict",
        [
            "A designer and I disagreed about whether to ship the new search page in one go.",
            "I listened to her worries about it, and the plan we agreed on was to release it to a tenth of the users first.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A designer and I, {um}, we disagreed about whether to ship it in in one go.",
            "I listened to her her worries, and {uhh}, the plan we agreed on was a, a slow release.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, most of it on payments and billing systems.",
            "I want this role because it is a chance to own the billing platform from end to end.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "{er}, I have been a backend engineer for for six years, on payments and billing.",
            "I want this role because, {um}, because it is a chance to own the the billing platform.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "The data export for our biggest customer was going to be two days late.",
            "I told the client early, and we cut scope to the one report they needed and shipped the core feature on time.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "The export for our our biggest customer was, {uh}, going to be late.",
            "I told the client early, and we we cut scope, {erm}, to one report, and it it shipped on time.",
        ],
        [1.0],
        [0, 1],
    ),
]
# Its voices: four voices (variants and a synthesiser) used nowhere else in the set.
FIFTH_VOICES = [
    ("en-us+steph", 162, 52),
    ("en-gb-x-rp+Andy", 148, 40),
    ("en-gb-x-gbclan+klatt3", 170, 46),
    ("en-us-nyc+m8", 156, 34),
]

# A sixth held-out group, written and committed before the detector heard it (2026-12-07, the ninth
# session), after the fifth group had been read and one rule changed from the tuning set: new texts
# at the same five questions, every answer in two of four voices found nowhere else in the set.
SIXTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "Our nightly billing migration failed halfway through and left some invoices doubled.",
            "I rolled back the migration before customers woke up, then added a reconciliation test to the checklist.",
            "What I learned is to rehearse every migration on a copy of real data.",
        ],
        [1.0, 1.2],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "{um}, the nightly migration failed and, and it doubled some invoices.",
            "I I rolled back the migration, {uh}, before morning, and then we we added a reconciliation test.",
            "{hmm}, what I learned is to, to rehearse on real data.",
        ],
        [1.1, 0.9],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Our public API needed a token bucket per API key so that one client could not starve the rest.",
            "We kept the counters in Redis for shared counters across the fleet.",
        ],
        [1.0],
        [0, 1],
    ),
    (
        "eval-limiter",
        [
            "So we, we gave every client a token bucket per API key, {er}, so nobody starved the rest.",
            "The the counters sat in Redis for shared counters, and when it it broke, {umm}, I wrote a blameless postmortem.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A product manager and I disagreed about whether to delay the launch for one more feature.",
            "I listened to his reasons first, and the plan we agreed on was to launch on time and add the feature a week later.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "{uh}, a product manager and I, I disagreed about delaying the launch.",
            "I listened to his, his reasons, and {um}, the plan we agreed on was, was to launch on time.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have worked as a backend engineer for six years, mostly building payments and billing services.",
            "I want this role because I want to own the whole billing stack.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "{erm}, I'm a, a backend engineer for six years, in in payments and billing.",
            "And I want this role because, {uhh}, because I want to own the the whole platform.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We were going to miss the deadline for the mobile release by a week.",
            "I told the client early, we cut scope to the two screens they needed most, and we shipped the core feature on the original date.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We were going to, {um}, going to miss the mobile release.",
            "So I I told the client early, and we cut scope, and, {uh}, it it shipped on the date.",
        ],
        [1.2],
        [0, 1],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
SIXTH_VOICES = [
    ("en-us+Annie", 158, 58),
    ("en-gb+belinda", 165, 60),
    ("en-029+edward", 150, 40),
    ("en-gb-x-rp+travis", 155, 36),
]

# A seventh held-out group, written and committed before the detector heard it (2026-12-07, the ninth
# session), after the sixth group had been read and the rule on short vowels running on into their
# word was set from every group: new texts, each answer in two of four voices found nowhere else.
SEVENTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "A data backfill I ran last spring failed and corrupted a few hundred invoices.",
            "I rolled back the migration that same afternoon, and I added a reconciliation test that runs on every deploy.",
            "What I learned is that an easy change still needs a rehearsal.",
        ],
        [1.0, 1.1],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "A backfill I ran, {uh}, it it failed and corrupted some invoices.",
            "I rolled back the the migration that afternoon, and {um} I added a reconciliation test.",
            "What I learned is that, {er}, that every change needs a rehearsal.",
        ],
        [1.2, 0.9],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "I designed a token bucket per API key for our public endpoints.",
            "The buckets used Redis for shared counters, and after an incident I ran a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "{hmm}, I designed a, a token bucket per API key for our endpoints.",
            "We used Redis for shared counters, and after an an incident, {uhh}, I I ran a blameless postmortem.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "An engineer on my team and I disagreed about rewriting the billing service.",
            "I listened to her concerns in a long call, and the plan we agreed on was to rewrite one module at a time.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "An engineer and I, {um}, we disagreed about rewriting the the billing service.",
            "I listened to to her concerns, and the plan we agreed on was, {uh}, one module at a time.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer for six years now, on payments and billing at two companies.",
            "I want this role because your team owns billing from end to end.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "So I'm a backend engineer for six years, on on payments and {uh} billing.",
            "I want this role because, {um}, my my work is all billing.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "Our team was going to miss a contract deadline by three days.",
            "I told the client early, we cut scope to the reports they used, and we shipped the core feature on the day.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We were, {er}, we were going to miss the contract deadline.",
            "I told the client early, and we we cut scope, and {umm}, we shipped the the core feature.",
        ],
        [1.0],
        [0, 1, 2],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
SEVENTH_VOICES = [
    ("en-us-nyc+linda", 152, 62),
    ("en-gb-x-gbcwmd+john", 160, 38),
    ("en-us+quincy", 165, 45),
    ("en-gb-x-gbclan+shelby", 158, 55),
]

# An eighth held-out group, written and committed before the detector heard it (2026-12-07, the tenth
# session), after the seventh had been read: new texts, each answer in two of four voices found
# nowhere else, so that a rule set from the first seven groups can be tried on speech it never met.
EIGHTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "In my second year I shipped a schema change that locked the orders table for twenty minutes.",
            "I rolled back the migration, split it into small batches, and wrote a reconciliation test for the totals.",
            "What I learned is to measure how long a lock will hold before I take it.",
        ],
        [1.1, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "{uh}, in my second year I I shipped a change that locked the orders table.",
            "I rolled back the migration, {umm}, and I wrote a, a reconciliation test for the the totals.",
            "What I learned, {er}, is to to measure a lock before I take it.",
        ],
        [1.0, 1.2],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "For the search service I built a token bucket per API key, refilled every second.",
            "Redis held the shared counters for all twelve nodes, and when it fell over once we wrote a blameless postmortem.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "For search I built, {um}, a token bucket per per API key.",
            "Redis held the shared counters, and when it it fell over, {hmm}, we we wrote a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "My lead wanted to ship the new checkout on Friday, and I thought we needed a week of load tests.",
            "I listened to his reasons first, and the plan we agreed on was a small rollout on Friday behind a flag.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "My lead wanted to, {uhh}, to ship on Friday, and I I thought we needed load tests.",
            "I listened to his reasons, {uh}, and the plan we agreed on was a a small rollout.",
        ],
        [0.9],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, mostly on payments and billing systems.",
            "This role appeals to me because you are rebuilding the ledger, which is the work I enjoy most.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "{um}, I've been a backend engineer for six years, on on payments and billing.",
            "This role, {err}, it appeals to me because you're rebuilding the the ledger.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We promised a partner an export feature by the end of the quarter and slipped by a week.",
            "I told the client early, we cut scope to the two formats they needed, and we shipped the core feature first.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We promised, {uh}, an export feature and and slipped by a week.",
            "I told the the client early, we cut scope, {uhhh}, and we shipped the core feature in in time.",
        ],
        [1.2],
        [0, 1, 2],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
EIGHTH_VOICES = [
    ("en-gb-scotland+Alicia", 160, 60),
    ("en-us+david", 150, 42),
    ("en-gb-x-gbcwmd+anika", 162, 58),
    ("en-us-nyc+paul", 168, 40),
]

# A ninth held-out group, written and committed before the detector heard it (2026-12-07, the tenth
# session), after the eighth had been read: new texts, each answer in two of four voices found
# nowhere else.
NINTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "Two years ago I ran a data cleanup script against production instead of staging.",
            "It deleted a week of draft invoices, so I rolled back the migration from the nightly snapshot.",
            "Then I wrote a reconciliation test, and what I learned is to check which database I am on.",
        ],
        [1.0, 1.1],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "Two years ago I, {um}, I ran a cleanup script on on production.",
            "It deleted draft invoices, so I rolled back the migration from the the snapshot.",
            "{uh}, then I wrote a reconciliation test, and what I learned is to to check the database.",
        ],
        [1.2, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Our mobile API was being scraped, so I added a token bucket per API key at the edge.",
            "The counts lived in Redis for shared counters, and after a bad release we held a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Our API was being scraped, so, {er}, I added a a token bucket per API key.",
            "We kept Redis for shared counters, and after a bad release, {umm}, we we held a blameless postmortem.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A designer and I disagreed about removing the export button from the dashboard.",
            "I listened to how her users worked, and the plan we agreed on was to hide it behind a menu for a month.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A designer and I, {hmm}, disagreed about the the export button.",
            "I listened to her users, and the plan we agreed on was, {uh}, to to hide it for a month.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer with six years behind me, most of them in payments and billing.",
            "I would like this role because your product moves real money, and getting that right is what I do best.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I'm a backend engineer with six years, {uhh}, in in payments and billing.",
            "I want this role because, {um}, it it moves real money.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "A compliance report for a bank was due on the first, and we were a week behind.",
            "I told the client early, we cut scope to the three tables the regulator asked for, and we shipped the core feature on time.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "A report for a bank was due, and we we were a week behind.",
            "I told the client early, {er}, we cut scope, and we shipped the the core feature, {um}, on time.",
        ],
        [1.1],
        [0, 1, 2],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
NINTH_VOICES = [
    ("en-us+robert", 155, 45),
    ("en-gb-x-rp+Diogo", 158, 42),
    ("en-029+zac", 150, 60),
    ("en-us-nyc+benjamin", 162, 38),
]

# A tenth held-out group, written and committed before the detector heard it (2026-12-07, the
# twelfth session), after the ninth had been read: new texts, each answer in two of four voices
# found nowhere else.
TENTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "Last spring I pushed a config change that pointed every worker at an empty queue.",
            "Orders stopped for forty minutes, so I rolled back the migration and replayed the missed events.",
            "Then I added a reconciliation test, and what I learned is to read the diff of a config like code.",
        ],
        [1.0, 1.2],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "Last spring I, {er}, I pushed a config change to to every worker.",
            "Orders stopped, so I rolled back the migration and, {um}, replayed the the missed events.",
            "Then I added a a reconciliation test, and what I learned, {hmm}, is to read a config like code.",
        ],
        [1.1, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Our public maps API needed limits, so I designed a token bucket per API key with a small burst.",
            "The buckets lived in Redis for shared counters, and when a limit misfired we ran a blameless postmortem.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "Our maps API needed limits, so I I designed a token bucket per API key, {uh}, with a burst.",
            "The buckets were in in Redis for shared counters, and, {uhh}, when it misfired we ran a blameless postmortem.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "My lead and I disagreed about whether to rewrite the billing service or fix it in place.",
            "I listened to why she wanted the rewrite, and the plan we agreed on was to fix the worst module first.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "My lead and I disagreed, {umm}, about the rewrite, and it it got tense.",
            "I listened to her, and the plan we agreed on was to, {er}, to fix one module on on its own.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, mostly on payments and billing for online shops.",
            "I want this role because your team owns the whole checkout, and that is the work I enjoy most.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I have been a backend engineer for six years, {uh}, on on payments and billing.",
            "I want this role because we we, {um}, because your team owns the checkout.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We promised a data export to a hospital by the end of March, and the vendor API kept failing.",
            "I told the client early, we cut scope to the two reports they used daily, and shipped the core feature in April.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We promised an export by March, {hmm}, and the the vendor API kept failing.",
            "I told the client early, we cut scope to to two reports, {uh}, and shipped the core feature.",
        ],
        [1.1],
        [0, 1, 2],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
TENTH_VOICES = [
    ("en-us+Andrea", 152, 55),
    ("en-gb+Gene", 163, 40),
    ("en-gb-x-rp+Mike", 158, 45),
    ("en-gb-scotland+Hugo", 148, 48),
]

# An eleventh held-out group, written and committed before the detector heard it (2026-12-07, the
# thirteenth session), after the tenth had been read: new texts (restarts of "so", "at", "my", "we
# had", a restart right after a sentence's first word, "by by", fillers before and after a comma),
# clean answers with numbers said as words and short neighbouring words, and four voice variants
# used nowhere else.
ELEVENTH_SCRIPTS = [
    (
        "eval-failure",
        [
            "In my second year I ran a schema migration at noon and it locked the orders table for twelve minutes.",
            "I rolled back the migration, and afterwards I wrote a reconciliation test that runs on every deploy.",
            "What I learned is to try a change on a copy of real data before it goes near production.",
        ],
        [1.0, 1.1],
        [0, 1, 2],
    ),
    (
        "eval-failure",
        [
            "In my, my second year I ran a migration at at noon, {um}, and it locked the orders table.",
            "So, {uh}, so I rolled back the migration and wrote a, {er}, a reconciliation test.",
            "What I learned, {umm}, is to try it on a copy of the data by by myself first.",
        ],
        [1.2, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "For the search API I built a token bucket per API key, with ten requests a second and a burst of forty.",
            "We kept Redis for shared counters across all six servers.",
            "When one bad limit blocked a partner, we held a blameless postmortem and added an alert on the reject rate.",
        ],
        [1.1, 1.0],
        [0, 1, 2],
    ),
    (
        "eval-limiter",
        [
            "{hmm}, for the search API I built a token bucket per API key.",
            "We, we kept Redis for for shared counters, {uh}, across the servers.",
            "When a limit blocked a partner, {er}, we had, we had a blameless postmortem.",
        ],
        [1.0, 1.1],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A designer and I disagreed about whether to ship the new signup form before the user tests were done.",
            "I listened to her reasons first, and then the plan we agreed on was to ship it to ten percent of users.",
        ],
        [1.2],
        [0, 1, 2],
    ),
    (
        "eval-conflict",
        [
            "A designer and I disagreed about, {uh}, about the signup form, and it it was a long week.",
            "I listened to her first, {um}, and the plan we agreed on was a small, {uhh}, a small test.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer for six years now, and before that I was a support lead at a bank.",
            "Most of my work is payments and billing, and I want this role to be close to the people who use it.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-yourself",
        [
            "I am a backend engineer for six years, {er}, and and before that I did support.",
            "Most of it is payments and billing, {hmm}, and I want this role to to be near users.",
        ],
        [1.1],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We were late on a reporting feature for a school district by two weeks, because the data had gaps.",
            "I told the client early, we cut scope to the three reports on the first page, and shipped the core feature.",
        ],
        [1.0],
        [0, 1, 2],
    ),
    (
        "eval-deadline",
        [
            "We were late by two weeks, {um}, because the data, the data had gaps.",
            "I told the client early, {uh}, we we cut scope, and shipped the the core feature.",
        ],
        [1.2],
        [0, 1, 2],
    ),
]
# Its voices: four espeak-ng voice variants used nowhere else in the set.
ELEVENTH_VOICES = [
    ("en-us+adam", 150, 48),
    ("en-gb-x-gbcwmd+Lee", 160, 42),
    ("en-us-nyc+iven", 145, 55),
    ("en-gb-x-gbclan+victor", 157, 40),
]

# The set's groups (``Answer.group``), in the order they were written, with what each is (the
# accuracy script reports each on its own).
GROUPS = {
    "tuning": "tuning set",
    "held": "held out: voices and texts the detector was not tuned on",
    "fresh": "fresh held out: texts written after the thresholds were set, two new voices",
    "third": "third held out: texts written after every rule was set, four new voices",
    "fourth": "fourth held out: texts written before the seventh session changed anything, four new voices",
    "fifth": "fifth held out: texts written before the detector heard them, after the fourth was read, four new voices",
    "sixth": "sixth held out: texts written before the detector heard them, after the fifth was read, four new voices",
    "seventh": (
        "seventh held out: texts written before the detector heard them, after the sixth was read, four new voices"
    ),
    "eighth": (
        "eighth held out: texts written before the detector heard them, after the seventh was read, four new voices"
    ),
    "ninth": (
        "ninth held out: texts written before the detector heard them, after the eighth was read, four new voices"
    ),
    "tenth": (
        "tenth held out: texts written before the detector heard them, after the ninth was read, four new voices"
    ),
    "eleventh": (
        "eleventh held out: texts written before the detector heard them, after the tenth was read, four new voices"
    ),
}

# An improving series at one question: rambling first, concise last (ramble scores must fall).
SERIES = [
    [
        "{um}, so, {uh}, the migration, the migration failed.",
        "I, {uhh}, I rolled it back, {um}, eventually, and {uh}, we talked about it.",
        "{um}, and then, {uh}, I guess we, we added some tests, {um}, or something.",
    ],
    ["So the migration failed, {uh}, on a Friday.", "I rolled it back, {um}, within an hour.", "Then we added a test."],
    [
        "The billing migration failed on a Friday night.",
        "I rolled back the migration within an hour.",
        "Then I wrote a reconciliation test, and we run it before every release.",
    ],
]

_TOKEN = re.compile(r"\{(\w+)\}|[A-Za-z0-9']+")


@dataclass(frozen=True)
class TruthItem:
    """A disfluency really said: ``kind`` ``filled_pause`` or ``restart``, where (s, answer timeline)."""

    kind: str
    start: float
    end: float
    text: str


@dataclass
class Answer:
    """One labelled answer: audio and its truth."""

    key: str
    question_id: str
    voice: str
    rate: int
    parts: list[str]
    gaps: list[float]
    points_said: list[int] = field(default_factory=list)
    pitch: int = 50
    # Which part of the set (a key of GROUPS): "tuning" (SCRIPTS, and the improving series), or a
    # held-out group: "held" (HELDOUT_SCRIPTS), "fresh", ... "eleventh" (FRESH_SCRIPTS ... ELEVENTH_SCRIPTS).
    group: str = "tuning"
    samples: np.ndarray | None = None
    silences: list[tuple[float, float]] = field(default_factory=list)
    # Every word said, with its span on the answer's timeline: (word, start, end, is_filler).
    timed_words: list[tuple[str, float, float, bool]] = field(default_factory=list)
    part_spans: list[tuple[float, float]] = field(default_factory=list)

    @property
    def heldout(self) -> bool:
        return self.group != "tuning"

    @property
    def truth_words(self) -> list[str]:
        """The words said (fillers as their marks: ``um``, ``uhhh``, ``hmm``), lower case."""
        return [m.group(1) or m.group(0).lower() for part in self.parts for m in _TOKEN.finditer(part)]

    @property
    def truth_fillers(self) -> int:
        return sum(w in FILLERS for w in self.truth_words)

    @property
    def truth_restarts(self) -> int:
        """Immediate repeats of a word or a 2-3 word phrase, fillers left out ("I, um, I" is one)."""
        return sum(
            len(_repeats([(m.group(0).lower(),) for m in _TOKEN.finditer(p) if not m.group(1)])) for p in self.parts
        )

    @property
    def truth_items(self) -> list[TruthItem]:
        """The filled pauses and restarts said, each with its span in the audio."""
        items = [TruthItem("filled_pause", s, e, w) for w, s, e, filler in self.timed_words if filler]
        for a, b in self.part_spans:
            said = [(w, s, e) for w, s, e, filler in self.timed_words if not filler and a - 0.01 <= s < b]
            for i, j in _repeats(said):
                items.append(TruthItem("restart", said[i][1], said[j][2], " ".join(w for w, *_ in said[i : j + 1])))
        return sorted(items, key=lambda t: t.start)

    @property
    def long_silences(self) -> list[tuple[float, float]]:
        return [s for s in self.silences if s[1] - s[0] >= 2.0]


def _repeats(words: list[tuple]) -> list[tuple[int, int]]:
    """(first, last) word index of each immediate repeat of 1-3 words (a run counts once)."""
    out = []
    w = [t[0].strip("'") for t in words]
    i = 0
    while i < len(w):
        for n in (3, 2, 1):
            if i + 2 * n <= len(w) and w[i : i + n] == w[i + n : i + 2 * n] and not (n == 1 and w[i] in LEGIT_DOUBLES):
                end = i + 2 * n
                while end + n <= len(w) and w[end - n : end] == w[end : end + n]:
                    end += n
                out.append((i, end - 1))
                i = end
                break
        else:
            i += 1
    return out


class _Espeak:
    """The espeak-ng library through ctypes: audio plus the audio position of every word."""

    def __init__(self):
        from ctypes import CFUNCTYPE, POINTER, Structure, Union, c_char_p, c_int, c_short, c_uint, c_void_p

        try:
            self.lib = ctypes.CDLL("libespeak-ng.so.1")
        except OSError:
            raise SystemExit("libespeak-ng is not installed: sudo apt-get install espeak-ng libespeak-ng1") from None

        class _Id(Union):
            _fields_ = (("number", c_int), ("name", c_char_p))

        class _Event(Structure):
            _fields_ = (
                ("type", c_int),
                ("unique_identifier", c_uint),
                ("text_position", c_int),
                ("length", c_int),
                ("audio_position", c_int),
                ("sample", c_int),
                ("user_data", c_void_p),
                ("id", _Id),
            )

        self._chunks: list[np.ndarray] = []
        self._words: list[tuple[int, int]] = []  # (text position, 1-based; sample)

        def callback(wav, n, events):
            if n > 0:
                self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            i = 0
            while events[i].type != 0:
                if events[i].type == 1:  # a word starts
                    self._words.append((events[i].text_position, events[i].sample))
                i += 1
            return 0

        self._callback = CFUNCTYPE(c_int, POINTER(c_short), c_int, POINTER(_Event))(callback)
        self.rate = self.lib.espeak_Initialize(2, 0, None, 0)  # synchronous, no playback
        self.lib.espeak_SetSynthCallback(self._callback)
        self.lib.espeak_SetVoiceByName.argtypes = [c_char_p]
        self.lib.espeak_Synth.argtypes = [
            c_char_p,
            ctypes.c_size_t,
            c_uint,
            c_int,
            c_uint,
            c_uint,
            ctypes.POINTER(c_uint),
            c_void_p,
        ]

    def render(self, ssml: str, voice: str, wpm: int, pitch: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
        self._chunks, self._words = [], []
        # The library finds voices by file name: British English is the file "en" ("en-gb" is its language).
        name = "en" + voice[len("en-gb") :] if voice == "en-gb" or voice.startswith("en-gb+") else voice
        if self.lib.espeak_SetVoiceByName(name.encode()) != 0:
            raise SystemExit(f"espeak-ng has no voice {voice!r} (espeak-ng --voices lists them)")
        self.lib.espeak_SetParameter(1, wpm, 0)  # espeakRATE
        self.lib.espeak_SetParameter(3, pitch, 0)  # espeakPITCH
        text = ssml.encode()
        # UTF-8 text, SSML, [[phonemes]] allowed
        self.lib.espeak_Synth(text, len(text) + 1, 0, 1, 0, 0x1 | 0x10 | 0x100, None, None)
        self.lib.espeak_Synchronize()
        audio = np.concatenate(self._chunks) if self._chunks else np.zeros(0, np.int16)
        return audio, list(self._words)


_engine: _Espeak | None = None
_worker = None  # the one process the library is loaded in (see _render)


def _render_here(ssml: str, voice: str, rate: int, pitch: int) -> tuple[np.ndarray, list[tuple[int, int]], int]:
    """Runs in the worker process: the audio, word events and sample rate of one part."""
    global _engine
    if _engine is None:
        _engine = _Espeak()
    audio, events = _engine.render(ssml, voice, rate, pitch)
    return audio, events, _engine.rate


def _render(ssml: str, voice: str, rate: int, pitch: int) -> tuple[np.ndarray, list[tuple[int, int]], int]:
    """Render in a worker process of its own: the espeak-ng library keeps global state (one
    synthesis callback, one output mode), and pyttsx3's espeak driver in the same process (the drill
    tests, redrill's speaker) would hang on it once this module had initialised it. A fresh process
    for each part: the synthesiser also carries state from one text to the next (its pitch flutter
    and the C library's random numbers, for example), so in one long-lived process the same part
    came out a few samples different each time, depending on what was rendered before it."""
    global _worker
    if _worker is None:
        import multiprocessing
        import site
        from concurrent.futures import ProcessPoolExecutor

        here = str(Path(__file__).resolve().parent)  # so the worker can import this module by name
        _worker = ProcessPoolExecutor(
            max_workers=1,
            max_tasks_per_child=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=site.addsitedir,
            initargs=(here,),
        )
        import atexit

        atexit.register(_worker.shutdown)  # before the interpreter tears down what the pool needs
    return _worker.submit(_render_here, ssml, voice, rate, pitch).result()


def _ssml(part: str) -> tuple[str, list[tuple[str, int, bool]]]:
    """The SSML to speak for one part, and each word's (text, 1-based position in it, is filler)."""
    out, words, at = ["<speak>"], [], 0
    pos = len("<speak>")
    for m in _TOKEN.finditer(part):
        between = part[at : m.start()]
        out.append(between)
        pos += len(between)
        if m.group(1):
            speech = FILLER_SPEECH[m.group(1)]
            inner = speech.find(">") + 1 if speech.startswith("<") else (2 if speech.startswith("[[") else 0)
            words.append((m.group(1), pos + inner + 1, True))
        else:
            speech = m.group(0)
            words.append((speech.lower(), pos + 1, False))
        out.append(speech)
        pos += len(speech)
        at = m.end()
    out.append(part[at:] + "</speak>")
    return "".join(out), words


def _speak(
    text: str, voice: str, rate: int, pitch: int, cache: Path
) -> tuple[np.ndarray, list[tuple[str, float, float, bool]]]:
    """One part at 16 kHz, edges trimmed, and its words' spans (seconds from the trimmed start)."""
    from redrill.sound.audiofile import load_audio

    digest = hashlib.sha256(f"{RENDERER}|{voice}|{rate}|{pitch}|{text}".encode()).hexdigest()[:16]
    wav, meta = cache / f"{digest}.wav", cache / f"{digest}.json"
    ssml, words = _ssml(text)
    if not (wav.exists() and meta.exists()):
        audio, events, sample_rate = _render(ssml, voice, rate, pitch)
        starts = {}
        for position, sample in events:
            starts.setdefault(position, sample / sample_rate)
        tmp = wav.with_suffix(".tmp.wav")
        with wave.open(str(tmp), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(sample_rate)
            out.writeframes(audio.astype("<i2").tobytes())
        meta.write_text(json.dumps({str(k): v for k, v in starts.items()}))
        tmp.rename(wav)
    starts = {int(k): v for k, v in json.loads(meta.read_text()).items()}
    samples = load_audio(wav).samples
    loud = np.nonzero(np.abs(samples) > 0.01)[0]
    if not len(loud):
        return samples[:0], []
    lo, hi = loud[0], loud[-1] + 1
    trimmed = samples[lo:hi]
    timed = []
    missing = [w for w, p, filler in words if filler and p not in starts]
    if missing:
        raise SystemExit(f"espeak-ng reported no position for the fillers {missing} in {text!r}")
    # espeak-ng speaks some short words as part of the one before ("that a" -> one word event):
    # such a word shares the previous word's start.
    begins = []
    for _, p, _ in words:
        begins.append(starts[p] - lo / RATE if p in starts else (begins[-1] if begins else 0.0))
    for k, (word, _, filler) in enumerate(words):
        start = max(0.0, begins[k])
        end = begins[k + 1] if k + 1 < len(words) else len(trimmed) / RATE
        # A word's span ends where its sound does, not after the pause that follows it.
        a = int(start * RATE)
        b = max(a, int(min(end, len(trimmed) / RATE) * RATE))
        sounding = np.nonzero(np.abs(trimmed[a:b]) > 0.01)[0]
        if len(sounding):
            end = (a + sounding[-1] + 1) / RATE
        timed.append((word, round(start, 3), round(max(start, end), 3), filler))
    return trimmed, timed


def render(a: Answer, cache: Path) -> Answer:
    """Speak one answer into ``a.samples`` (parts joined by its exact silences), with its truth timeline."""
    cache.mkdir(parents=True, exist_ok=True)
    a.timed_words, a.part_spans, a.silences = [], [], []
    pieces = [np.zeros(int(0.5 * RATE), np.float32)]
    at = 0.5
    for n, part in enumerate(a.parts):
        speech, timed = _speak(part, a.voice, a.rate, a.pitch, cache)
        pieces.append(speech)
        a.timed_words.extend((w, round(at + s, 3), round(at + e, 3), f) for w, s, e, f in timed)
        a.part_spans.append((at, at + len(speech) / RATE))
        at += len(speech) / RATE
        if n < len(a.gaps):
            pieces.append(np.zeros(int(round(a.gaps[n] * RATE)), np.float32))
            a.silences.append((at, at + a.gaps[n]))
            at += a.gaps[n]
    pieces.append(np.zeros(int(0.8 * RATE), np.float32))
    a.samples = np.concatenate(pieces)
    return a


def answers() -> list[Answer]:
    """Every labelled answer, not yet rendered."""
    found = []
    for i, (qid, parts, gaps, said) in enumerate(SCRIPTS):
        for k in range(2):
            voice, rate, pitch = VOICES[(2 * i + k * 3) % len(VOICES)]
            found.append(Answer(f"a{i:02d}-{voice}", qid, voice, rate, parts, gaps, said, pitch))
    for i, (qid, parts, gaps, said) in enumerate(HELDOUT_SCRIPTS):
        for voice, rate, pitch in HELDOUT_VOICES:
            found.append(Answer(f"h{i:02d}-{voice}", qid, voice, rate, parts, gaps, said, pitch, group="held"))
    for i, (qid, parts, gaps, said) in enumerate(FRESH_SCRIPTS):
        for k in range(3):
            voice, rate, pitch = FRESH_VOICES[(i + 2 * k) % len(FRESH_VOICES)]
            found.append(Answer(f"f{i:02d}-{voice}", qid, voice, rate, parts, gaps, said, pitch, group="fresh"))
    # The later groups: each text in two of the group's voices, taking turns.
    for prefix, group, scripts, voices in (
        ("t", "third", THIRD_SCRIPTS, THIRD_VOICES),
        ("q", "fourth", FOURTH_SCRIPTS, FOURTH_VOICES),
        ("v", "fifth", FIFTH_SCRIPTS, FIFTH_VOICES),
        ("w", "sixth", SIXTH_SCRIPTS, SIXTH_VOICES),
        ("x", "seventh", SEVENTH_SCRIPTS, SEVENTH_VOICES),
        ("y", "eighth", EIGHTH_SCRIPTS, EIGHTH_VOICES),
        ("z", "ninth", NINTH_SCRIPTS, NINTH_VOICES),
        ("k", "tenth", TENTH_SCRIPTS, TENTH_VOICES),
        ("m", "eleventh", ELEVENTH_SCRIPTS, ELEVENTH_VOICES),
    ):
        for i, (qid, parts, gaps, said) in enumerate(scripts):
            for k in range(2):
                voice, rate, pitch = voices[(i + k) % len(voices)]
                found.append(
                    Answer(f"{prefix}{i:02d}-{voice}", qid, voice, rate, parts, gaps, said, pitch, group=group)
                )
    for k, parts in enumerate(SERIES):
        found.append(Answer(f"series{k}", "eval-failure", "en-us", 155, parts, [1.0] * (len(parts) - 1), []))
    return found


def build(cache: Path, keys: set[str] | None = None) -> list[Answer]:
    """The labelled answers (those named in ``keys``; all by default), rendered (cached in ``cache``)."""
    return [render(a, cache) for a in answers() if keys is None or a.key in keys]


def opus_round_trip(answers: list[Answer], cache: Path, bitrate: int = 24000) -> None:
    """Replace each answer's samples by what redrill would read back from its stored Ogg/Opus copy.

    The product stores recordings as Opus; the codec changes the silences (no longer digital zero)
    and the tails of words, which is where Whisper tends to invent "Thank you.".
    """
    from redrill.sound.audiofile import load_audio, write_opus

    cache.mkdir(parents=True, exist_ok=True)
    for a in answers:
        digest = hashlib.sha256(a.samples.tobytes() + str(bitrate).encode()).hexdigest()[:16]
        path = cache / f"{digest}.ogg"
        if not path.exists():
            write_opus(path, a.samples, bitrate=bitrate)
        a.samples = load_audio(path).samples
