"""A multi-pattern automaton (Aho–Corasick, pyahocorasick's C implementation).

One pass over the text finds every occurrence of every keyword, whatever the number of keywords:
the cost is the length of the text plus the number of hits, where a loop of ``str.find`` per word
costs the length of the text times the number of words.
"""

import ahocorasick


class KeywordAutomaton:
    """Keywords → payloads. A keyword may carry several payloads (the same word in two lists)."""

    def __init__(self, keywords):
        """``keywords``: iterable of (keyword, payload); empty keywords are ignored."""
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY, ahocorasick.KEY_STRING)
        self.size = 0
        for keyword, payload in keywords:
            if not keyword:
                continue
            existing = self._automaton.get(keyword, None)
            if existing is None:
                self._automaton.add_word(keyword, (len(keyword), [payload]))
            else:
                existing[1].append(payload)
            self.size += 1
        if self.size:
            self._automaton.make_automaton()

    def __len__(self):
        return self.size

    def finditer(self, text):
        """Yield (start, end, payload) for every occurrence, overlapping ones included."""
        if not self.size:
            return
        for last, (length, payloads) in self._automaton.iter(text):
            start = last + 1 - length
            for payload in payloads:
                yield start, last + 1, payload
