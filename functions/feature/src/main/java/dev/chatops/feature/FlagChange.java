package dev.chatops.feature;

import dev.chatops.shared.Text;
import dev.chatops.shared.command.Invocation;
import dev.chatops.shared.gitlab.FeatureFlag;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * {@code feature set NAME VALUE [options]}, checked before anything is sent: the flag name, the value
 * ({@code true}, {@code false} or a percentage 0–100 with decimals), which percentage it is, and the
 * actor gates. {@link #parse} answers every mistake with a sentence; a change it returns is one
 * GitLab's Features API can take as it is.
 *
 * @param gates the actor gates, by the Features API's parameter name ({@code user}, {@code feature_group}, …),
 *              each a comma-separated list
 */
record FlagChange(String name, Boolean enable, BigDecimal percentage, String key, Map<String, String> gates) {
    static final Pattern NAME = Pattern.compile("[a-z0-9_]{1,255}");
    /** Our option → the Features API's parameter, in the order GitLab's documentation lists them. */
    static final Map<String, String> GATE_OPTIONS = gateOptions();
    private static final Pattern PERCENT = Pattern.compile("(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]{1,4})?)");
    private static final Pattern PATH =
            Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\\-]*)*");
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.\\-]{0,254}");
    private static final Pattern FEATURE_GROUP = Pattern.compile("[a-z0-9_]{1,100}");
    private static final int MAX_ACTORS = 50;

    /** A change that can be sent, or the sentence that says why not. */
    sealed interface Parsed permits Valid, Invalid {
    }

    record Valid(FlagChange change) implements Parsed {
    }

    record Invalid(String reason) implements Parsed {
    }

    /** Checks a flag name as GitLab writes them. Empty when it is fine; otherwise why not. */
    static Optional<String> checkName(String name) {
        if (NAME.matcher(name).matches()) {
            return Optional.empty();
        }
        return Optional.of("`" + Text.inCode(name, 60) + "` is not a feature flag name: names are lower-case "
                + "letters, digits and underscores (`my_flag`).");
    }

    static Parsed parse(Invocation call) {
        String name = call.args().get(0);
        String value = call.args().get(1).toLowerCase(Locale.ROOT);
        Optional<String> badName = checkName(name);
        if (badName.isPresent()) {
            return new Invalid(badName.get());
        }
        boolean actors = call.has("actors");
        boolean random = call.has("random");
        Map<String, String> gates = new LinkedHashMap<>();
        for (Map.Entry<String, String> option : GATE_OPTIONS.entrySet()) {
            if (call.has(option.getKey())) {
                Optional<String> problem = checkActors(option.getKey(), call.option(option.getKey()).orElse(""));
                if (problem.isPresent()) {
                    return new Invalid(problem.get());
                }
                gates.put(option.getValue(), normalise(call.option(option.getKey()).orElse("")));
            }
        }
        if (actors && random) {
            return new Invalid("`--actors` and `--random` are two different percentages; give one.");
        }
        if (value.equals("true") || value.equals("false")) {
            if (actors || random) {
                return new Invalid("`--" + (actors ? "actors" : "random") + "` goes with a percentage, not with `"
                        + value + "`: `feature set " + name + " 25 --" + (actors ? "actors" : "random") + "`.");
            }
            return new Valid(new FlagChange(name, value.equals("true"), null, null, gates));
        }
        if (!PERCENT.matcher(value).matches()) {
            return new Invalid(
                    "`" + Text.inCode(call.args().get(1), 40) + "` is not a value: give `true`, `false` or a "
                            + "percentage from 0 to 100 (decimals allowed, `12.5`).");
        }
        BigDecimal percent = new BigDecimal(value);
        if (!gates.isEmpty()) {
            return new Invalid("A percentage applies to everyone, so it does not combine with "
                    + String.join(", ", gates.keySet().stream().map(FlagChange::optionOf).toList())
                    + ": set the percentage and the actors in two commands, or use `true`/`false` for the actors.");
        }
        if (!actors && !random) {
            return new Invalid("A percentage needs `--actors` (that share of users, projects, groups… each always "
                    + "seeing the same) or `--random` (that share of checks, different every time).");
        }
        if (random && !call.has("ignore-random-deprecation-check")) {
            return new Invalid("A percentage of time (`--random`) is deprecated upstream: it flips the flag at random "
                    + "on every check, so one person sees both behaviours. Use `--actors`; if you must, add "
                    + "`--ignore-random-deprecation-check`.");
        }
        if (percent.signum() == 0) {
            return new Invalid(
                    "GitLab takes `0` as `false` and turns the flag off entirely, actors and all. Say `false` "
                            + "if that is what you mean.");
        }
        return new Valid(
                new FlagChange(name, null, percent, actors ? "percentage_of_actors" : "percentage_of_time", gates));
    }

    /** The form parameters of {@code POST /features/:name}. */
    Map<String, String> params() {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("value", enable != null ? enable.toString() : percentage.toPlainString());
        if (key != null) {
            params.put("key", key);
        }
        params.putAll(gates);
        return params;
    }

    /** Whether the change turns the flag on for anyone. */
    boolean enables() {
        return enable == null || enable;
    }

    /** On for everyone: {@code true} without actors, or 100 % (of time, which Flipper counts as on, or of actors). */
    boolean fullyOn() {
        return Boolean.TRUE.equals(enable) && gates.isEmpty()
                || percentage != null && percentage.compareTo(BigDecimal.valueOf(100)) == 0;
    }

    /** Off for everyone: {@code false} without actors. */
    boolean fullyOff() {
        return Boolean.FALSE.equals(enable) && gates.isEmpty();
    }

    /** What is asked, in words: {@code true}, {@code 25% of actors}, {@code true for user bob}. */
    String describe() {
        String what = enable != null ? enable.toString()
                : FeatureFlag.format(percentage) + "% of " + (key.equals("percentage_of_actors") ? "actors" : "time");
        if (gates.isEmpty()) {
            return what;
        }
        List<String> targets = new ArrayList<>();
        gates.forEach((param, list) -> targets.add(param.replace('_', ' ') + " " + list.replace(",", ", ")));
        return what + " for " + String.join("; ", targets);
    }

    private static Optional<String> checkActors(String option, String value) {
        if (value.isBlank()) {
            return Optional.of("`--" + option + "` needs a value: `--" + option + "=…`.");
        }
        String[] items = value.split(",", -1);
        if (option.equals("feature-group") && items.length > 1) {
            // GitLab's feature_group is one registered group's name, not a list.
            return Optional.of("`--feature-group` takes one feature group, not a list.");
        }
        if (items.length > MAX_ACTORS) {
            return Optional.of("`--" + option + "` takes at most " + MAX_ACTORS + " at once.");
        }
        for (String raw : items) {
            String item = raw.strip();
            boolean ok = switch (option) {
                // GitLab refuses consecutive special characters in usernames (16.5 on); `..` never names anyone.
                case "user" -> USERNAME.matcher(item).matches() && !item.contains("..");
                case "feature-group" -> FEATURE_GROUP.matcher(item).matches();
                case "repository" -> PATH.matcher(item).matches() && !item.contains("..");
                default -> PATH.matcher(item).matches() && !item.contains("..") && item.length() <= 255;
            };
            if (!ok) {
                return Optional.of("`" + Text.inCode(item.isEmpty() ? "(empty)" : item, 60) + "` is not "
                        + switch (option) {
                            case "user" -> "a GitLab username";
                            case "feature-group" -> "a feature group name";
                            case "repository" -> "a repository path (`gitlab-org/gitlab.git`)";
                            default -> "a " + option + " path (`gitlab-org/gitlab`)";
                        } + "; `--" + option + "` takes comma-separated ones.");
            }
        }
        return Optional.empty();
    }

    private static String normalise(String list) {
        return String.join(",", Arrays.stream(list.split(",")).map(String::strip).toList());
    }

    private static String optionOf(String param) {
        return GATE_OPTIONS.entrySet().stream()
                .filter(e -> e.getValue().equals(param))
                .map(e -> "`--" + e.getKey() + "`")
                .findFirst()
                .orElse(param);
    }

    private static Map<String, String> gateOptions() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("feature-group", "feature_group");
        options.put("user", "user");
        options.put("group", "group");
        options.put("namespace", "namespace");
        options.put("project", "project");
        options.put("repository", "repository");
        return Collections.unmodifiableMap(options);
    }
}
