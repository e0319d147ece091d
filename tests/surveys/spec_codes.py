"""The code table of docs/contract.md, written out literally: it is a public contract."""

MAIN = {
    "useful": ("one", ["yes", "sometimes", "no"]),
    "ideal_forms": ("many", ["emotional", "practical", "speaking_out", "information", "wellbeing"]),
    "current_forms": ("many", ["emotional", "practical", "speaking_out", "information", "wellbeing"]),
    "user_led": ("one", ["yes", "no"]),
    "user_led_forms": ("many", ["groups", "influence", "friendships"]),
    "restrictions": ("one", ["yes", "no"]),
    "more_user_led": ("one", ["yes", "no"]),
    "who_can_support": ("many", ["same_ward", "other_ward", "community_mh", "community_secure", "shared_experience"]),
    "shared_experience": ("many", ["gender", "ethnicity", "sexuality", "diagnosis", "hobbies", "age"]),
    "benefits": ("many", ["choice", "fewer_restrictions", "insight", "information", "accessible", "reduces_workload"]),
    "when_useful": ("many", ["admission", "moving_wards", "discharge", "crisis", "good_day", "bad_day"]),
    "barriers": ("many", ["time_restrictions", "conversation_restrictions", "no_schemes", "staff_attitudes", "peer_skills"]),
    "fears": ("many", ["trust", "confidentiality", "boundaries", "skills_confidence", "emotional_impact", "needs_unmet"]),
    "service_support": ("many", ["more_schemes", "training", "informal", "time_together", "involvement", "fewer_restrictions"]),
}

BANDS = ["lt_1y", "1_4y", "5_9y", "10y_plus"]
ABOUT = {
    "time_in_service": ("one", BANDS),
    "time_in_secure": ("one", BANDS),
    "gender": ("one", ["female", "male", "non_binary", "self_describe", "prefer_not"]),
    "age_band": ("one", ["16_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59", "60_64", "65_plus"]),
    "ethnicity": (
        "one",
        [
            "white_english",
            "white_welsh",
            "white_scottish",
            "white_irish",
            "white_gypsy_traveller",
            "white_european",
            "white_other",
            "mixed_white_black_caribbean",
            "mixed_white_black_african",
            "mixed_white_asian",
            "mixed_other",
            "asian_indian",
            "asian_pakistani",
            "asian_bangladeshi",
            "asian_chinese",
            "asian_other",
            "black_african",
            "black_caribbean",
            "black_other",
            "other",
            "prefer_not",
        ],
    ),
    "job_title": ("text", []),
}
PATIENT_ABOUT = ["time_in_service", "time_in_secure", "gender", "age_band", "ethnicity"]
STAFF_ABOUT = ["job_title", "gender", "age_band", "ethnicity"]


def expected(group: str) -> dict[str, tuple[str, list[str]]]:
    codes = {code: (kind, list(options)) for code, (kind, options) in MAIN.items()}
    if group == "patient":
        codes["benefits"] = ("many", [o for o in MAIN["benefits"][1] if o != "reduces_workload"])
    for code in PATIENT_ABOUT if group == "patient" else STAFF_ABOUT:
        codes[code] = ABOUT[code]
    return codes
