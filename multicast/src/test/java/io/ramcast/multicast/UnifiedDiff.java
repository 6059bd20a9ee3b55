package io.ramcast.multicast;

import java.util.ArrayList;
import java.util.List;

/**
 * A line-based unified diff (the {@code diff -u} format) between two short texts, such as an
 * expected and an actual scenario transcript.
 *
 * <p>Uses the longest common subsequence, quadratic in the line counts: meant for transcripts of
 * a few hundred lines, not for large files. Deletions are listed before insertions where both fit.
 * Stateless and thread-safe.
 */
final class UnifiedDiff
{
    /** Unchanged lines shown around each change. */
    static final int CONTEXT_LINES = 3;

    private UnifiedDiff()
    {
    }

    /** One line of the edit script: kept ({@code ' '}), deleted ({@code '-'}) or inserted ({@code '+'}). */
    private record Edit(char op, int fromIndex, int toIndex, String line)
    {
    }

    /**
     * @param fromName name of the first text, printed after {@code ---}.
     * @param toName   name of the second text, printed after {@code +++}.
     * @param from     lines of the first text.
     * @param to       lines of the second text.
     * @return the diff, one line per {@code \n}; empty when the texts are equal.
     */
    static String diff(final String fromName, final String toName, final List<String> from, final List<String> to)
    {
        final List<Edit> edits = edits(from, to);
        final List<Integer> changes = new ArrayList<>();
        for (int e = 0; e < edits.size(); e++)
        {
            if (edits.get(e).op() != ' ')
            {
                changes.add(e);
            }
        }
        if (changes.isEmpty())
        {
            return "";
        }
        final StringBuilder sb = new StringBuilder();
        sb.append("--- ").append(fromName).append('\n').append("+++ ").append(toName).append('\n');
        int c = 0;
        while (c < changes.size())
        {
            int last = c;
            while (last + 1 < changes.size() && changes.get(last + 1) - changes.get(last) <= 2 * CONTEXT_LINES)
            {
                last++;
            }
            final int start = Math.max(0, changes.get(c) - CONTEXT_LINES);
            final int end = Math.min(edits.size(), changes.get(last) + CONTEXT_LINES + 1);
            appendHunk(sb, edits.subList(start, end));
            c = last + 1;
        }
        return sb.toString();
    }

    private static void appendHunk(final StringBuilder sb, final List<Edit> hunk)
    {
        int fromCount = 0;
        int toCount = 0;
        for (final Edit e : hunk)
        {
            fromCount += e.op() == '+' ? 0 : 1;
            toCount += e.op() == '-' ? 0 : 1;
        }
        final Edit first = hunk.get(0);
        sb.append("@@ -").append(fromCount == 0 ? first.fromIndex() : first.fromIndex() + 1).append(',').append(fromCount)
            .append(" +").append(toCount == 0 ? first.toIndex() : first.toIndex() + 1).append(',').append(toCount)
            .append(" @@\n");
        for (final Edit e : hunk)
        {
            sb.append(e.op()).append(e.line()).append('\n');
        }
    }

    private static List<Edit> edits(final List<String> from, final List<String> to)
    {
        final int n = from.size();
        final int m = to.size();
        final int[][] common = new int[n + 1][m + 1]; // common[i][j]: LCS length of from[i..] and to[j..]
        for (int i = n - 1; i >= 0; i--)
        {
            for (int j = m - 1; j >= 0; j--)
            {
                common[i][j] = from.get(i).equals(to.get(j)) ?
                    common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        final List<Edit> edits = new ArrayList<>(n + m);
        int i = 0;
        int j = 0;
        while (i < n || j < m)
        {
            if (i < n && j < m && from.get(i).equals(to.get(j)))
            {
                edits.add(new Edit(' ', i, j, from.get(i)));
                i++;
                j++;
            }
            else if (i < n && (j == m || common[i + 1][j] >= common[i][j + 1]))
            {
                edits.add(new Edit('-', i, j, from.get(i)));
                i++;
            }
            else
            {
                edits.add(new Edit('+', i, j, to.get(j)));
                j++;
            }
        }
        return edits;
    }
}
