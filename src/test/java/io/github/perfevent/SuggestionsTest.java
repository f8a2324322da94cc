package io.github.perfevent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Did you mean": the optimal string alignment distance (a swap of two neighbours costs 1, not 2), which names count
 * as near (a third of the longer name, at least 2; or names that start with the unknown one, from 3 characters), the
 * order (nearest, then by name), at most three, and the length cap.
 */
class SuggestionsTest {

    @Test
    void aSwapOfNeighboursCostsOneEditNotTwo() {
        assertEquals(1, Suggestions.distance("ab", "ba"));
        assertEquals(1, Suggestions.distance("cylces", "cycles"));
        assertEquals(2, Suggestions.distance("abc", "cba"), "not neighbours: two substitutions");
        assertEquals(3, Suggestions.distance("ca", "abc"), "OSA: no edit of a swapped pair (Damerau would say 2)");
        assertEquals(0, Suggestions.distance("", ""));
        assertEquals(3, Suggestions.distance("", "abc"));
        assertEquals(3, Suggestions.distance("abc", ""));
        assertEquals(1, Suggestions.distance("abc", "abd"));
        assertEquals(1, Suggestions.distance("abc", "abxc"));
        assertEquals(1, Suggestions.distance("abxc", "abc"));
        assertEquals(2, Suggestions.distance("kitten", "sitte"));
    }

    @Test
    void nearMeansWithinAThirdOfTheLongerNameAndAtLeastTwo() {
        // "abcdef" (6): limit max(2, 6/3) = 2.
        assertEquals(List.of("abcdxy"), Suggestions.nearest("abcdef", List.of("abcdxy", "abcxyz")), "2 is near, 3 not");
        // 9 characters: limit 3.
        assertEquals(List.of("abcdefxyz"), Suggestions.nearest("abcdefghi", List.of("abcdefxyz", "abcdewxyz")));
        // Short names still get a limit of 2.
        assertEquals(List.of("xy"), Suggestions.nearest("ab", List.of("xy", "xyz")));
        // The longer of the two names sets the limit: "task" (4) vs "task-clock" (10) is 6 > 3, and no prefix rule
        // applies the other way round.
        assertEquals(List.of(), Suggestions.nearest("task-clock", List.of("task")));
    }

    @Test
    void aNameThatStartsWithTheUnknownOneIsNearFromThreeCharacters() {
        assertEquals(List.of("sched:sched_switch"), Suggestions.nearest("sch", List.of("sched:sched_switch")),
                "15 edits, but a prefix of 3");
        assertEquals(List.of(), Suggestions.nearest("sc", List.of("sched:sched_switch")), "a prefix of 2 is not enough");
        assertEquals(List.of("SCHED:x-long-name"), Suggestions.nearest("Sched", List.of("SCHED:x-long-name")),
                "case does not matter");
        assertEquals(List.of("abcde", "abcdefghijklmnop"), Suggestions.nearest("abc", List.of("abcdefghijklmnop",
                "abcde")), "a prefix ranks by its distance, the rest of the longer name");
    }

    @Test
    void theNearestComeFirstThenByNameAtMostThreeWithoutRepeats() {
        assertEquals(List.of("abcx", "abcy", "abxd"), Suggestions.nearest("abcd",
                List.of("zzzz", "abxd", "abcy", "abcx", "abcx", "xbcdd")));
        assertEquals(List.of("ab", "ba"), Suggestions.nearest("ab", List.of("ba", "ab")), "0 before 1");
        assertEquals(List.of("a1"), Suggestions.nearest("a1", List.of("a1", "a1")), "a name listed twice is one name");
        assertEquals(List.of("abcdx", "abce", "abxx"), Suggestions.nearest("abcd", List.of("abxx", "abce", "abcdx")),
                "a name that extends the unknown one by one character is as near as one substitution");
        assertEquals(List.of("abxy"), Suggestions.nearest("ab", List.of("abxy")), "2 longer, 2 edits: at the limit");
    }

    @Test
    void aNameOverTheLimitGetsNoSuggestionsAndTheListIsByName() {
        String limit = "a".repeat(Suggestions.MAX_LENGTH);
        assertEquals(List.of(limit + "b"), Suggestions.nearest(limit, List.of(limit + "b")), "at the limit: compared");
        assertEquals(List.of(), Suggestions.nearest(limit + "a", List.of(limit + "a")), "over it: not even equal names");
        assertEquals(List.of("a", "b", "c"), Suggestions.byDistance(limit + "c", List.of("c", "b", "a", "b")));
        assertEquals(List.of("b", "a", "c"), Suggestions.byDistance("b", List.of("c", "b", "a")), "nearest first");
        assertEquals(List.of(limit, "a"), Suggestions.byDistance(limit, List.of("a", limit)), "at the limit: by distance");
    }

    @Test
    void didYouMeanListsOneTwoOrThreeNames() {
        assertEquals("", Suggestions.didYouMean(List.of()));
        assertEquals(" Did you mean a?", Suggestions.didYouMean(List.of("a")));
        assertEquals(" Did you mean a or b?", Suggestions.didYouMean(List.of("a", "b")));
        assertEquals(" Did you mean a, b or c?", Suggestions.didYouMean(List.of("a", "b", "c")));
        assertEquals(" Did you mean task-clock?", Suggestions.didYouMean("task-clok", List.of("task-clock", "cycles")));
    }
}
