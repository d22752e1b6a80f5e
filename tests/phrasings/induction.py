"""Chapter 12: a duplicate-token head, and knocking heads out one at a time."""

CHAPTER = "12_what_attention_learns"

ANSWERS = {
    "understanding_1": [
        [  # it finds the earlier copy of the current word
            "A head that attends to i - period finds the earlier copy of the current word itself, a "
            "duplicate-token head.",
            "Such a head matches each word with its own earlier occurrence.",
            "It looks back at the same word in the first half of the sequence.",
            "This head would detect repetition: it points from a word to where that word appeared "
            "before.",
        ],
        [  # that word is already known, so it does not predict
            "What it brings back is the word the model already has at position i, so it says nothing "
            "about the next word.",
            "Copying the current word again does not help, because the prediction needs the word "
            "that came after the earlier copy.",
            "On its own it only tells the model that the word repeats, not what follows it.",
            "The useful information is one position later, at i - period + 1, not at the copy itself.",
        ],
        [  # a second layer must step one position forward
            "A second layer would need a head that moves from the earlier copy to the word after it, "
            "for example using the position of the copy.",
            "Layer 2 would have to take the position found by the first head and attend to the next "
            "position.",
            "A later head whose query carries the copy's position and whose keys carry their own "
            "position could shift by one.",
            "To turn it into a prediction, another head must read the token right after the earlier "
            "occurrence.",
        ],
        [  # the trained model did it the other way round
            "Our trained model does it the other way round: layer 1 moves each word's predecessor "
            "forward, so layer 2 can match directly.",
            "The model in the chapter used a previous-token head in layer 1 instead, and matched the "
            "current word against it in layer 2.",
            "In practice the induction circuit here is previous-token head first, then induction head.",
            "The chapter's model avoided the problem with a previous-token head feeding the second "
            "layer.",
        ],
    ],
    "understanding_2": [
        [  # one at a time measures necessity, not function
            "Knocking out one head at a time measures what the model cannot do without that head, "
            "not what the head does.",
            "A single knock-out only shows whether a head is necessary alone.",
            "Removing heads one by one tests each head in isolation, which misses heads that work "
            "together.",
            "The experiment confuses 'no single head is necessary' with 'no head matters'.",
        ],
        [  # redundancy: heads back each other up
            "When several heads do the same job, each one backs up the others, so each looks "
            "unimportant alone.",
            "Redundant heads compensate for each other, like our four induction heads.",
            "With all four induction heads gone the loss rose a lot, although each alone mattered "
            "little.",
            "The job is shared by many heads, so losing one changes almost nothing.",
        ],
        [  # a better experiment: find them, knock them out together
            "A better experiment first finds the heads that do the job, for example by their "
            "induction scores, and knocks them out together.",
            "Knock out groups of heads, ordered by their score, and watch the in-context learning "
            "measure.",
            "Compare knocking out all high-scoring heads with knocking out as many random heads as a "
            "control.",
            "Remove the candidate heads at the same time and measure the loss on the repeated half.",
        ],
        [  # check compensation
            "One could also check whether the other heads change their scores to compensate when one "
            "is removed.",
            "Measuring the remaining heads after a knock-out would reveal whether they take over.",
            "Look at the outputs of the other heads too, to see if they compensate.",
            "A compensation test: knock out one head and see whether the others' attention shifts.",
        ],
    ],
}
