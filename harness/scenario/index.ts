/** The scenario model: contents page. One export line per concern. */
export { loadScenarioFile, loadScenarioText, type LoadScenarioOptions } from './loader.ts';
export { ScenarioInvalidError, ScenarioSourceError, formatIssue, type ScenarioIssue } from './errors.ts';
export { scenarioSchema, scenarioJsonSchema, type ParsedScenario, type ResolvedScenario, type Scenario } from './schema.ts';
export { evaluateThreshold, parseThreshold, type ParsedThreshold, type ThresholdResult } from './threshold-grammar.ts';
export { formatDuration, formatRate, parseDuration, parseRate } from './units.ts';
export { PROFILES, type ProfileName } from './sections/profiles.ts';
export { FAULT_NAMES, faultEnd, LIFECYCLE_FAULTS, PROCESS_GROUPS, PROCESS_SETTLE_MS, type Fault } from './sections/faults.ts';
export { KINDS, type ScenarioKind } from './sections/kind.ts';
