import { type Node, parse } from 'acorn';
import { ancestor } from 'acorn-walk';
import { MULTIFACTOR_PROVIDERS, POST_LOGIN_API_METHODS, UNSUPPORTED_API_METHODS } from './post-login-api.ts';
import { UNPROVIDED_EVENT_FIELDS } from './post-login-event.ts';
import { ACTION_MODULES, isAllowedModule } from './sandbox/action-modules.ts';

/** One thing in an Action's source that would fail at login time, with the line it is on. */
export interface ActionSourceProblem {
  line: number;
  message: string;
}

/**
 * What a script may do with Auth0's `event.transaction.acr_values`, an array, that a string does not
 * do the same way: `.includes` would test a substring, `.length` would count characters, the others
 * do not exist. Refused at deploy, naming `acr_values_list` (see `buildPostLoginEvent`).
 */
const ARRAY_IDIOMS = new Set([
  'includes',
  'length',
  '[index]',
  'indexOf',
  'lastIndexOf',
  'at',
  'some',
  'every',
  'map',
  'filter',
  'find',
  'findIndex',
  'forEach',
  'reduce',
  'join',
  'slice',
  'concat',
  'flatMap',
]);

/** The exported functions whose second parameter is `api`. */
const ENTRY_POINTS = new Set(['onExecutePostLogin', 'onContinuePostLogin']);

// ESTree shapes read here, narrowed from acorn's `Node`.
interface Identifier extends Node {
  type: 'Identifier';
  name: string;
}
interface Literal extends Node {
  type: 'Literal';
  value: unknown;
}
interface MemberExpression extends Node {
  type: 'MemberExpression';
  object: Node;
  property: Node;
  computed: boolean;
}
interface CallExpression extends Node {
  type: 'CallExpression';
  callee: Node;
  arguments: Node[];
}
interface FunctionNode extends Node {
  params: Node[];
}

/**
 * Reads an Action's source with a JavaScript parser and lists what the product would refuse at login
 * time, so a deploy can refuse it instead (issue: no runtime surprise):
 * - a call `api.<group>.<method>(…)` of a method Stepup does not implement, or that Auth0 does not
 *   have, where `api` is the second parameter of `onExecutePostLogin` / `onContinuePostLogin`;
 * - `api.multifactor.enable('<provider>')` with a provider written as a literal that is not one of
 *   `MULTIFACTOR_PROVIDERS` (Duo, SMS, …);
 * - `require('<module>')` of a module outside `ACTION_MODULES`;
 * - a read of an event field Auth0 has and Stepup does not (`UNPROVIDED_EVENT_FIELDS`): a rule
 *   guarded on it would silently never fire, which for an MFA rule is failing open;
 * - array idioms on `event.transaction.acr_values` (`.includes`, `.some`, `.length`, …), which is a
 *   string here: the message names `acr_values_list`.
 *
 * Limits: only what is written literally is seen. A method reached through a computed name
 * (`api[group][name]`), an alias (`const mfa = api.multifactor`), a provider or a module held in a
 * variable are checked when the call happens, and fail the login then (fail closed). So is an array
 * method on `acr_values` once it is copied (`const { acr_values } = event.transaction`): it does not
 * exist on a string and throws — but `.includes` and `.length` on such a copy answer as a string. A script that
 * does not parse is left to the sandbox, which reports the syntax error with QuickJS's message.
 */
export function checkActionSource(code: string): ActionSourceProblem[] {
  let program: Node;
  try {
    program = parse(code, {
      ecmaVersion: 'latest',
      sourceType: 'script',
      allowReturnOutsideFunction: true,
      allowHashBang: true,
      locations: true,
    });
  } catch {
    return [];
  }
  const problems: ActionSourceProblem[] = [];
  const report = (node: Node, message: string) => problems.push({ line: node.loc?.start.line ?? 0, message });
  const apiNames = entryParameterNames(program, 1, 'api');
  const eventNames = entryParameterNames(program, 0, 'event');

  ancestor(program, {
    MemberExpression(node) {
      const member = node as MemberExpression;
      const path = eventPathOf(member, eventNames);
      if (path !== undefined && (UNPROVIDED_EVENT_FIELDS as readonly string[]).includes(path)) {
        report(
          member,
          `event.${path} is not provided by Stepup, so a rule that reads it would never see a value (see the README's table of the Action surface)`,
        );
      }
      const idiom = member.computed
        ? isLiteral(member.property)
          ? '[index]'
          : undefined
        : propertyName(member);
      if (idiom === undefined || !isAcrValues(member.object) || !ARRAY_IDIOMS.has(idiom)) return;
      const written = idiom === '[index]' ? 'acr_values[…]' : `acr_values.${idiom}`;
      report(
        member,
        `event.transaction.${written}: acr_values is one string in Stepup (the requested values joined by spaces, so that === works); use event.transaction.acr_values_list${written.slice('acr_values'.length)} for the list`,
      );
    },
    CallExpression(node) {
      const call = node as CallExpression;
      const callee = call.callee;
      if (isIdentifier(callee, 'require')) {
        const [first] = call.arguments;
        if (first && isLiteral(first) && typeof first.value === 'string' && !isAllowedModule(first.value)) {
          report(
            call,
            `require(${JSON.stringify(first.value)}): Actions can load only ${ACTION_MODULES.join(', ')}`,
          );
        }
        return;
      }
      const method = apiMethodOf(callee, apiNames);
      if (method === undefined) return;
      if ((UNSUPPORTED_API_METHODS as readonly string[]).includes(method)) {
        report(call, `api.${method} is not available in Stepup`);
      } else if (!(POST_LOGIN_API_METHODS as readonly string[]).includes(method) && !isInherited(method)) {
        report(call, `api.${method} is not a method of the post-login api`);
      } else if (method === 'multifactor.enable') {
        const [provider] = call.arguments;
        if (
          provider &&
          isLiteral(provider) &&
          !(MULTIFACTOR_PROVIDERS as readonly unknown[]).includes(provider.value)
        ) {
          report(
            call,
            `api.multifactor.enable(${JSON.stringify(provider.value)}): the provider must be one of ${MULTIFACTOR_PROVIDERS.join(', ')}`,
          );
        }
      }
    },
  });
  return problems.sort((a, b) => a.line - b.line);
}

/**
 * The names the script gives a parameter of the entry points (`index` 0: `event`, 1: `api`), from
 * every function bound to one (`exports.onExecutePostLogin = …`, `module.exports = {
 * onExecutePostLogin … }`, `function onExecutePostLogin(…)`). `fallback`, the name Auth0's docs use,
 * is always checked.
 */
function entryParameterNames(program: Node, index: number, fallback: string): Set<string> {
  const names = new Set([fallback]);
  const addFrom = (fn: Node | null | undefined) => {
    if (!fn || !/Function/.test(fn.type)) return;
    const param = (fn as FunctionNode).params[index];
    if (param && param.type === 'Identifier') names.add((param as Identifier).name);
  };
  ancestor(program, {
    AssignmentExpression(node) {
      const { left, right } = node as unknown as { left: Node; right: Node };
      if (
        left.type === 'MemberExpression' &&
        ENTRY_POINTS.has(propertyName(left as MemberExpression) ?? '')
      ) {
        addFrom(right);
      }
    },
    Property(node) {
      const { key, value } = node as unknown as { key: Node; value: Node };
      if (isIdentifier(key) && ENTRY_POINTS.has(key.name)) addFrom(value);
    },
    FunctionDeclaration(node) {
      const { id } = node as unknown as { id: Node | null };
      if (id && isIdentifier(id) && ENTRY_POINTS.has(id.name)) addFrom(node);
    },
    VariableDeclarator(node) {
      const { id, init } = node as unknown as { id: Node; init: Node | null };
      if (isIdentifier(id) && ENTRY_POINTS.has(id.name)) addFrom(init);
    },
  });
  return names;
}

/** `a.b.c` for `event.a.b.c` written with plain names, where `event` is an event parameter. */
function eventPathOf(member: MemberExpression, eventNames: ReadonlySet<string>): string | undefined {
  const names: string[] = [];
  let node: Node = member;
  while (node.type === 'MemberExpression') {
    const name = propertyName(node as MemberExpression);
    if (name === undefined) return undefined;
    names.unshift(name);
    node = (node as MemberExpression).object;
  }
  return isIdentifier(node) && eventNames.has(node.name) ? names.join('.') : undefined;
}

/**
 * True for `constructor.constructor`, `hasOwnProperty.call` and the like: what every object has, not
 * a misspelt api method (the sandbox contains such tricks at run time).
 */
function isInherited(method: string): boolean {
  return method.split('.').some((name) => name in Object.prototype || name in Function.prototype);
}

/** True for `<anything>.transaction.acr_values`. */
function isAcrValues(node: Node): boolean {
  if (node.type !== 'MemberExpression') return false;
  const member = node as MemberExpression;
  if (propertyName(member) !== 'acr_values' || member.object.type !== 'MemberExpression') return false;
  return propertyName(member.object as MemberExpression) === 'transaction';
}

/** `group.method` for a callee written `api.group.method` with plain names, else undefined. */
function apiMethodOf(callee: Node, apiNames: ReadonlySet<string>): string | undefined {
  if (callee.type !== 'MemberExpression') return undefined;
  const outer = callee as MemberExpression;
  const method = propertyName(outer);
  if (method === undefined || outer.object.type !== 'MemberExpression') return undefined;
  const inner = outer.object as MemberExpression;
  const group = propertyName(inner);
  if (group === undefined || !isIdentifier(inner.object) || !apiNames.has(inner.object.name))
    return undefined;
  return `${group}.${method}`;
}

/** The property of `a.b` or `a['b']`; undefined for a computed name. */
function propertyName(member: MemberExpression): string | undefined {
  if (!member.computed && isIdentifier(member.property)) return member.property.name;
  if (member.computed && isLiteral(member.property) && typeof member.property.value === 'string') {
    return member.property.value;
  }
  return undefined;
}

function isIdentifier(node: Node, name?: string): node is Identifier {
  return node.type === 'Identifier' && (name === undefined || (node as Identifier).name === name);
}

function isLiteral(node: Node): node is Literal {
  return node.type === 'Literal';
}
