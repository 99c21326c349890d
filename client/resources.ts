// Queue/Topic resource YAML ⇄ admin proto messages. Free of CLI concerns: the operator reuses it.
export { describeValue, FieldError } from './resources/fields.ts';
export {
  durationText,
  queueToResource,
  timestampText,
  topicToResource,
  type YamlObject,
  type YamlValue,
} from './resources/from-proto.ts';
export {
  applyOrder,
  combineResources,
  type DocumentResult,
  formatIssue,
  type ParsedResources,
  parseResources,
  type QueueResource,
  ResourceError,
  type ResourceIssue,
  type ResourceSource,
  resourceFromObject,
  type SkippedDocument,
  type TopicResource,
  WHARF_CLUSTER_NOTE,
  type WharfResource,
} from './resources/parse.ts';
export { API_VERSION } from './resources/schema.ts';
