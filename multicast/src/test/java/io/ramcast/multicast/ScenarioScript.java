package io.ramcast.multicast;

import java.util.ArrayList;
import java.util.List;

/**
 * A protocol scenario file: commands, each followed by its expected output, in the style of etcd
 * raft's data-driven {@code testdata/*.txt}.
 *
 * <pre>
 *   # What the scenario shows, and the section of ramcast-protocol.md it comes from.
 *
 *   verb key=value key=v1,v2 positional     a command, one line
 *   ----                                     separator
 *   output line                              expected output, up to the first blank line
 *   output line                              (or the end of the file)
 *
 *   next-verb ...
 * </pre>
 *
 * Lines starting with {@code #} and blank lines outside a block are kept as they are. A block
 * ends at its first blank line, so expected output never contains one. {@link #render} writes a
 * file back with other outputs in the same shape, so a parsed file renders to its canonical
 * text and an actual transcript can be compared with it, or written over it.
 *
 * <p>Immutable once parsed.
 */
final class ScenarioScript
{
    /** The line between a command and its output. */
    static final String SEPARATOR = "----";

    /** One element of the file, in file order. */
    sealed interface Element permits Text, Command
    {
    }

    /** A comment or blank line outside a block, copied unchanged. */
    record Text(String line) implements Element
    {
    }

    /**
     * A command and its expected output.
     *
     * @param lineNumber 1-based line of the command.
     * @param text       the command line, stripped.
     * @param expected   the expected output lines, none blank.
     */
    record Command(int lineNumber, String text, List<String> expected) implements Element
    {
    }

    private final String name;
    private final List<Element> elements;

    private ScenarioScript(final String name, final List<Element> elements)
    {
        this.name = name;
        this.elements = List.copyOf(elements);
    }

    /**
     * @param name the file name, used in error messages.
     * @param text the file's content.
     * @return the parsed scenario.
     * @throws ScenarioException naming the line of a command without its {@link #SEPARATOR}.
     */
    static ScenarioScript parse(final String name, final String text)
    {
        final List<String> lines = new ArrayList<>(List.of(text.replace("\r\n", "\n").split("\n", -1)));
        if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty())
        {
            lines.remove(lines.size() - 1); // the newline that ends the last line
        }
        final List<Element> elements = new ArrayList<>();
        int i = 0;
        while (i < lines.size())
        {
            final String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#"))
            {
                elements.add(new Text(line.isBlank() ? "" : line));
                i++;
                continue;
            }
            final int lineNumber = i + 1;
            if (i + 1 >= lines.size() || !lines.get(i + 1).equals(SEPARATOR))
            {
                throw new ScenarioException(name, lineNumber, "expected a '" + SEPARATOR + "' line after the command '" +
                    line.strip() + "'");
            }
            i += 2;
            final List<String> expected = new ArrayList<>();
            while (i < lines.size() && !lines.get(i).isBlank())
            {
                expected.add(lines.get(i));
                i++;
            }
            i++; // the blank line that ends the block, if any
            elements.add(new Command(lineNumber, line.strip(), expected));
        }
        return new ScenarioScript(name, elements);
    }

    /** @return the file name given to {@link #parse}. */
    String name()
    {
        return name;
    }

    /** @return the commands, in file order. */
    List<Command> commands()
    {
        final List<Command> commands = new ArrayList<>();
        for (final Element e : elements)
        {
            if (e instanceof Command c)
            {
                commands.add(c);
            }
        }
        return commands;
    }

    /** @return the file in canonical form, with its expected outputs. */
    String text()
    {
        final List<List<String>> outputs = new ArrayList<>();
        for (final Command c : commands())
        {
            outputs.add(c.expected());
        }
        return render(outputs);
    }

    /**
     * @param outputs one output per command, in file order; no line blank.
     * @return the file with these outputs in place of the expected ones, in canonical form: each
     *         block followed by one blank line unless it ends the file; text lines unchanged.
     * @throws IllegalArgumentException if the number of outputs differs from the number of commands
     *                                  or an output line is blank (it would end the block early).
     */
    String render(final List<List<String>> outputs)
    {
        final List<Command> commands = commands();
        if (outputs.size() != commands.size())
        {
            throw new IllegalArgumentException(outputs.size() + " outputs for " + commands.size() + " commands in " + name);
        }
        final StringBuilder sb = new StringBuilder();
        int c = 0;
        for (int e = 0; e < elements.size(); e++)
        {
            final Element element = elements.get(e);
            if (element instanceof Text t)
            {
                sb.append(t.line()).append('\n');
                continue;
            }
            final Command command = (Command)element;
            sb.append(command.text()).append('\n').append(SEPARATOR).append('\n');
            for (final String line : outputs.get(c++))
            {
                if (line.isBlank())
                {
                    throw new IllegalArgumentException("blank output line for '" + command.text() + "' in " + name);
                }
                sb.append(line).append('\n');
            }
            if (e < elements.size() - 1)
            {
                sb.append('\n');
            }
        }
        return sb.toString();
    }
}
