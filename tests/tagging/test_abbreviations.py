from nlp_review.tagging.abbreviations import best_long_form, find_definitions


def test_schwartz_hearst_long_form():
    assert best_long_form("YP", "we interviewed young people") == "young people"
    assert best_long_form("ECEC", "attending early childhood education and care") == \
        "early childhood education and care"
    assert best_long_form("HIV", "they were tested") is None


def test_definitions_found_in_a_doc(nlp):
    doc = nlp("Children with Wilson's disease (WD) were seen; WD is rare.")
    pairs = [(lf.text, sf.text) for lf, sf in find_definitions(doc)]
    assert pairs == [("Wilson's disease", "WD")]


def test_abbreviation_copies_every_label_of_its_long_form(tag):
    spans = tag("Socially isolated young people (SIYP) were offered mentoring. SIYP said yes.")
    sf = [lab for t, lab, *_ in spans if t == "SIYP"]
    assert sf.count("ADOLESCENTS") == 2 and sf.count("SOCIALLY_ISOLATED") == 2
