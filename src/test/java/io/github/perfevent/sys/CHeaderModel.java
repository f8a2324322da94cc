package io.github.perfevent.sys;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test support for {@link ConformanceTest}: the structs, unions and enums of a header after {@code gcc -E}, read
 * from the C source itself and not from the Java bindings, so that the conformance test can compare the two.
 *
 * <p>It understands the C that UAPI headers use for type definitions: tagged {@code struct}/{@code union}
 * definitions at file scope with nested anonymous (or named) structs and unions, bitfields with comma-separated
 * declarators, arrays (flexible or with a constant size) and {@code enum} bodies. Function bodies and typedefs
 * are skipped. gcc's line markers ({@code # 42 "path"}) say which header each definition came from.
 */
final class CHeaderModel {

    /** A named member: {@code path} is the name, or {@code outer.inner} inside a named nested struct/union. */
    record Member(String path, String type, boolean bitfield, int width, String arraySize) {
        boolean isArray() {
            return arraySize != null;
        }

        boolean isFlexibleArray() {
            return "".equals(arraySize);
        }
    }

    /** A tagged struct or union: {@code kind} is "struct" or "union"; members in declaration order. */
    record Aggregate(String kind, String name, String file, List<Member> members) {
        List<Member> bitfields() {
            return members.stream().filter(Member::bitfield).toList();
        }

        List<Member> fields() {
            return members.stream().filter(m -> !m.bitfield()).toList();
        }
    }

    /** An enumerator and the header that declares it. */
    record Enumerator(String name, String file) {
    }

    private record Token(String text, String file) {
    }

    final Map<String, Aggregate> aggregates = new LinkedHashMap<>();
    final List<Enumerator> enumerators = new ArrayList<>();
    private final List<Token> tokens;
    private int pos;

    private CHeaderModel(String preprocessed) {
        tokens = tokenize(preprocessed);
        parseFile();
    }

    /** Parses the output of {@code gcc -E} (with or without line markers). */
    static CHeaderModel parse(String preprocessed) {
        return new CHeaderModel(preprocessed);
    }

    private static List<Token> tokenize(String source) {
        List<Token> out = new ArrayList<>();
        String file = "";
        for (String line : source.split("\n")) {
            String stripped = line.strip();
            if (stripped.startsWith("#")) {
                // A line marker: # <line> "<file>" [flags]
                int q1 = stripped.indexOf('"');
                int q2 = stripped.lastIndexOf('"');
                if (q1 >= 0 && q2 > q1) {
                    file = stripped.substring(q1 + 1, q2);
                }
                continue;
            }
            int i = 0;
            int n = line.length();
            while (i < n) {
                char c = line.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (Character.isLetter(c) || c == '_') {
                    int j = i;
                    while (j < n && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '_')) {
                        j++;
                    }
                    out.add(new Token(line.substring(i, j), file));
                    i = j;
                } else if (Character.isDigit(c)) {
                    int j = i;
                    while (j < n && (Character.isLetterOrDigit(line.charAt(j)) || line.charAt(j) == '.')) {
                        j++;
                    }
                    out.add(new Token(line.substring(i, j), file));
                    i = j;
                } else if (c == '"' || c == '\'') {
                    int j = i + 1;
                    while (j < n && line.charAt(j) != c) {
                        j += line.charAt(j) == '\\' ? 2 : 1;
                    }
                    out.add(new Token(line.substring(i, Math.min(j + 1, n)), file));
                    i = j + 1;
                } else {
                    out.add(new Token(String.valueOf(c), file));
                    i++;
                }
            }
        }
        return out;
    }

    private String peek(int ahead) {
        int i = pos + ahead;
        return i < tokens.size() ? tokens.get(i).text() : "";
    }

    private static boolean isIdentifier(String s) {
        return !s.isEmpty() && (Character.isLetter(s.charAt(0)) || s.charAt(0) == '_');
    }

    private void parseFile() {
        int depth = 0;
        while (pos < tokens.size()) {
            String t = peek(0);
            if (depth == 0 && (t.equals("struct") || t.equals("union")) && isIdentifier(peek(1))
                    && peek(2).equals("{")) {
                String file = tokens.get(pos).file();
                String name = peek(1);
                pos += 3;
                List<Member> members = parseMembers("");
                aggregates.put(name, new Aggregate(t, name, file, members));
            } else if (depth == 0 && t.equals("enum") && (peek(1).equals("{")
                    || isIdentifier(peek(1)) && peek(2).equals("{"))) {
                String file = tokens.get(pos).file();
                pos += peek(1).equals("{") ? 2 : 3;
                parseEnumerators(file);
            } else {
                if (t.equals("{")) {
                    depth++;
                } else if (t.equals("}")) {
                    depth--;
                }
                pos++;
            }
        }
    }

    /** Enumerators up to the closing brace: the first token of every comma-separated item. */
    private void parseEnumerators(String file) {
        boolean expectName = true;
        int parens = 0;
        while (!peek(0).equals("}")) {
            String t = peek(0);
            if (expectName && isIdentifier(t)) {
                enumerators.add(new Enumerator(t, file));
                expectName = false;
            } else if (t.equals("(")) {
                parens++;
            } else if (t.equals(")")) {
                parens--;
            } else if (t.equals(",") && parens == 0) {
                expectName = true;
            }
            pos++;
        }
        pos++;
    }

    /** Members after an opening brace, up to and including the matching closing brace. */
    private List<Member> parseMembers(String prefix) {
        List<Member> members = new ArrayList<>();
        while (!peek(0).equals("}")) {
            if (pos >= tokens.size()) {
                throw new IllegalStateException("unterminated struct or union");
            }
            String t = peek(0);
            if ((t.equals("struct") || t.equals("union"))
                    && (peek(1).equals("{") || isIdentifier(peek(1)) && peek(2).equals("{"))) {
                pos += peek(1).equals("{") ? 2 : 3;
                List<Member> inner = parseMembers("");
                if (peek(0).equals(";")) {
                    // Anonymous: its members belong to the enclosing aggregate.
                    for (Member m : inner) {
                        members.add(new Member(prefix + m.path(), m.type(), m.bitfield(), m.width(), m.arraySize()));
                    }
                } else {
                    for (List<String> declarator : declarators()) {
                        String name = declarator.getLast();
                        members.add(new Member(prefix + name, t, false, 0, null));
                        for (Member m : inner) {
                            members.add(new Member(prefix + name + "." + m.path(), m.type(), m.bitfield(),
                                    m.width(), m.arraySize()));
                        }
                    }
                }
                pos++; // ';'
            } else {
                members.addAll(parseDeclaration(prefix));
            }
        }
        pos++; // '}'
        return members;
    }

    /** Comma-separated declarators up to the ';' (not consumed), each as its tokens. */
    private List<List<String>> declarators() {
        List<List<String>> result = new ArrayList<>();
        List<String> current = new ArrayList<>();
        int depth = 0;
        while (!(depth == 0 && peek(0).equals(";"))) {
            String t = peek(0);
            if (t.equals("(") || t.equals("[")) {
                depth++;
            } else if (t.equals(")") || t.equals("]")) {
                depth--;
            }
            if (depth == 0 && t.equals(",")) {
                result.add(current);
                current = new ArrayList<>();
            } else {
                current.add(t);
            }
            pos++;
        }
        result.add(current);
        return result;
    }

    /** One declaration statement, e.g. {@code __u64 a : 1, b : 2;} or {@code __u8 x[116*8];}. */
    private List<Member> parseDeclaration(String prefix) {
        List<Member> members = new ArrayList<>();
        List<List<String>> decls = declarators();
        pos++; // ';'
        String type = null;
        for (int d = 0; d < decls.size(); d++) {
            List<String> tokens = decls.get(d);
            int colon = tokens.indexOf(":");
            if (colon >= 0) {
                List<String> before = tokens.subList(0, colon);
                int width = evaluate(tokens.subList(colon + 1, tokens.size()));
                String name;
                if (d == 0) {
                    // The type is all but the last identifier, unless there is only the type (unnamed bitfield).
                    long identifiers = before.stream().filter(CHeaderModel::isIdentifier).count();
                    name = identifiers >= 2 ? before.getLast() : null;
                    type = String.join(" ", name == null ? before : before.subList(0, before.size() - 1));
                } else {
                    name = before.isEmpty() ? null : before.getLast();
                }
                if (name != null) {
                    members.add(new Member(prefix + name, type, true, width, null));
                }
            } else {
                int bracket = tokens.indexOf("[");
                int end = bracket >= 0 ? bracket : tokens.size();
                String name = tokens.get(end - 1);
                if (!isIdentifier(name)) {
                    throw new IllegalStateException("cannot parse declarator " + String.join(" ", tokens));
                }
                if (d == 0) {
                    type = String.join(" ", tokens.subList(0, end - 1).stream().filter(s -> !s.equals("*"))
                            .toList());
                }
                String arraySize = null;
                if (bracket >= 0) {
                    int close = tokens.indexOf("]");
                    List<String> size = tokens.subList(bracket + 1, close);
                    arraySize = size.isEmpty() ? "" : Long.toString(evaluate(size));
                }
                members.add(new Member(prefix + name, type, false, 0, arraySize));
            }
        }
        return members;
    }

    /** A constant expression of integer literals joined by {@code *} and {@code +}, as UAPI sizes are written. */
    private static int evaluate(List<String> expression) {
        long sum = 0;
        long product = 1;
        for (String t : expression) {
            switch (t) {
                case "*" -> {
                }
                case "+" -> {
                    sum += product;
                    product = 1;
                }
                default -> product *= Long.decode(t.replaceAll("[uUlL]+$", ""));
            }
        }
        return Math.toIntExact(sum + product);
    }
}
