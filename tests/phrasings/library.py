"""Chapter 5: two tied books at a very low temperature."""

CHAPTER = "05_library_analogy"

ANSWERS = {
    "understanding_1": [
        [  # the two books tie with a score of 2
            "The query learning scores 2 for the Machine Learning book and for the Deep Learning "
            "book, so they are tied at the top.",
            "Books 0 and 1 both contain learning twice, which gives them the same highest score.",
            "Two books mention learning twice, so two keys have the maximum score of 2.",
            "Both the gentle machine learning book and the neural network book get a score of 2.",
        ],
        [  # library_search gives them half each
            "Even at T = 0.01 library_search gives them about 0.5 each, because equal scores always "
            "get equal weights.",
            "The soft lookup splits the weight equally between the two, roughly one half and one "
            "half, and the result is the average of their topics.",
            "Lowering the temperature pushes the other books to 0 but the tied pair keep the same "
            "weight, 0.5 each.",
            "The weights are about [0.5, 0.5, 0, ...] and the result mixes the two books.",
        ],
        [  # best_match returns 0 by the tie rule
            "best_match has to return a single index and by the first-on-ties rule it returns 0.",
            "The hard lookup gives index 0, since it takes the first of the tied books.",
            "best_match returns 0 because argmax picks the first maximum.",
            "The argmax based best_match just answers 0, the first highest score.",
        ],
        [  # why they disagree
            "They disagree because the soft lookup shares weight between equally good keys while "
            "the hard one must break the tie by a convention.",
            "A hard lookup throws away the information that there was a tie, the soft one keeps it.",
            "The difference is that softmax never has to choose, whereas best_match is forced to "
            "pick one winner.",
            "So the soft search says both books are equally relevant and the hard search arbitrarily "
            "keeps one of them.",
        ],
    ],
}
