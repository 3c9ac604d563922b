import {
  Alert,
  Badge,
  Button,
  Group,
  Modal,
  MultiSelect,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core'
import { notifications } from '@mantine/notifications'
import { IconKey, IconSchool, IconUserPlus, IconUsers } from '@tabler/icons-react'
import { useState, type FormEvent } from 'react'
import { useMutation, useQuery } from 'urql'
import { apiErrors } from '../../api/errors'
import { ErrorAlert } from '../../components/ErrorAlert'
import { Loading } from '../../components/Loading'
import { SecretBox, SecretDoneButton } from '../../components/SecretBox'
import { useI18n } from '../../i18n'
import { fullName, usernameFromEmail } from '../../names'
import { useSchool } from '../../school/SchoolProvider'
import { CreateTeacherMutation, ResetPasswordMutation, SetTeacherClassesMutation, TeachersQuery } from './documents'
import { ResetPasswordModal, type ResetTarget } from './ResetPasswordModal'

interface ClassOption {
  value: string
  label: string
}

export interface TeacherRow {
  id: string
  name: string
  username: string
  email: string
  classes: { id: string; name: string }[]
  /** How many classes and groups the teacher has; more than classes holds when the list is cut. */
  classesTotal: number
}

/**
 * Beheer → Docenten: the school's teachers and the classes they teach; add a teacher (with
 * classes and a one-time password in one go), change their classes, give a new password.
 */
export function TeachersPanel() {
  const { t } = useI18n()
  const { school } = useSchool()
  const [{ data, fetching, error }, refetch] = useQuery({
    query: TeachersQuery,
    variables: { schoolId: school?.id ?? '' },
    pause: !school,
    requestPolicy: 'cache-and-network',
  })
  const [adding, setAdding] = useState(false)
  const [editing, setEditing] = useState<TeacherRow | null>(null)
  const [resetting, setResetting] = useState<ResetTarget | null>(null)
  const node = data?.node?.__typename === 'School' ? data.node : null
  const teachers: TeacherRow[] =
    node?.accounts.edges?.flatMap((e) =>
      e?.node
        ? [
            {
              id: e.node.id,
              name: fullName(e.node),
              username: e.node.username,
              email: e.node.email,
              classes: e.node.teachingClasses.edges?.flatMap((c) => (c?.node ? [c.node] : [])) ?? [],
              classesTotal: e.node.teachingClasses.totalCount,
            },
          ]
        : [],
    ) ?? []
  const classOptions: ClassOption[] =
    node?.classes.edges?.flatMap((e) => (e?.node ? [{ value: e.node.id, label: e.node.name }] : [])) ?? []
  const reload = () => refetch({ requestPolicy: 'network-only' })

  return (
    <Paper withBorder p="lg" radius="md">
      <Stack gap="md">
        <Group justify="space-between" align="flex-start" wrap="wrap">
          <Text size="sm" c="dimmed" maw={640}>
            {t('teachers.intro')}
          </Text>
          <Button leftSection={<IconUserPlus size={16} aria-hidden />} onClick={() => setAdding(true)} disabled={!node}>
            {t('teachers.add')}
          </Button>
        </Group>
        {error && <ErrorAlert error={error} onRetry={reload} />}
        {!node && fetching && <Loading />}
        {node && teachers.length === 0 && (
          <Alert color="gray" icon={<IconUsers aria-hidden />}>
            {t('teachers.none')}
          </Alert>
        )}
        {teachers.length > 0 && (
          <Table.ScrollContainer minWidth={640}>
            <Table verticalSpacing={8} aria-label={t('admin.tab.teachers')} highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th scope="col">{t('teachers.col.name')}</Table.Th>
                  <Table.Th scope="col">{t('teachers.col.classes')}</Table.Th>
                  <Table.Th scope="col">
                    <VisuallyHidden>{t('common.actions')}</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {teachers.map((r) => (
                  <Table.Tr key={r.id}>
                    <Table.Td>
                      <Text size="sm" fw={600}>
                        {r.name}
                      </Text>
                      <Text size="xs" c="dimmed">
                        {t('teachers.login', { username: r.username })} · {r.email}
                      </Text>
                    </Table.Td>
                    <Table.Td miw={220}>
                      {r.classes.length === 0 ? (
                        <Text size="sm" c="dimmed">
                          {t('teachers.noClasses')}
                        </Text>
                      ) : (
                        <Group gap={4}>
                          {r.classes.map((c) => (
                            <Badge key={c.id} variant="light" color="gray" tt="none">
                              {c.name}
                            </Badge>
                          ))}
                        </Group>
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Group gap={4} justify="flex-end">
                        <Button
                          size="xs"
                          variant="subtle"
                          leftSection={<IconSchool size={14} aria-hidden />}
                          onClick={() => setEditing(r)}
                          aria-label={t('teachers.editClasses.aria', { name: r.name })}
                        >
                          {t('teachers.editClasses')}
                        </Button>
                        <Button
                          size="xs"
                          variant="subtle"
                          leftSection={<IconKey size={14} aria-hidden />}
                          onClick={() => setResetting({ id: r.id, name: r.name })}
                          aria-label={t('teachers.reset.aria', { name: r.name })}
                        >
                          {t('teachers.reset')}
                        </Button>
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Stack>
      {school && (
        <AddTeacherModal
          opened={adding}
          schoolId={school.id}
          classOptions={classOptions}
          onAdded={reload}
          onClose={() => setAdding(false)}
        />
      )}
      <ClassesModal teacher={editing} classOptions={classOptions} onClose={() => setEditing(null)} onSaved={reload} />
      <ResetPasswordModal target={resetting} onClose={() => setResetting(null)} />
    </Paper>
  )
}

function ClassPicker({
  options,
  value,
  onChange,
  label,
  description,
}: {
  options: ClassOption[]
  value: string[]
  onChange: (v: string[]) => void
  label: string
  description?: string
}) {
  const { t } = useI18n()
  return (
    <MultiSelect
      label={label}
      description={description}
      placeholder={value.length === 0 ? t('teachers.classes.placeholder') : undefined}
      data={options}
      value={value}
      onChange={onChange}
      searchable
      clearable
      hidePickedOptions
      nothingFoundMessage={t('roster.noClassesFound')}
      maxDropdownHeight={240}
      comboboxProps={{ withinPortal: true }}
    />
  )
}

function ClassesModal({
  teacher,
  classOptions,
  onClose,
  onSaved,
}: {
  teacher: TeacherRow | null
  classOptions: ClassOption[]
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  return (
    <Modal opened={teacher !== null} onClose={onClose} title={teacher ? t('teachers.classes.title', { name: teacher.name }) : ''} size="lg">
      {teacher && <ClassesForm key={teacher.id} teacher={teacher} classOptions={classOptions} onClose={onClose} onSaved={onSaved} />}
    </Modal>
  )
}

export function ClassesForm({
  teacher,
  classOptions,
  onClose,
  onSaved,
}: {
  teacher: TeacherRow
  classOptions: ClassOption[]
  onClose: () => void
  onSaved: () => void
}) {
  const { t } = useI18n()
  const [value, setValue] = useState(teacher.classes.map((c) => c.id))
  const [{ fetching, error }, save] = useMutation(SetTeacherClassesMutation)
  // Saving replaces the whole list: with only part of it loaded, a save would drop the rest.
  const partial = teacher.classesTotal > teacher.classes.length
  return (
    <form
      onSubmit={async (e) => {
        e.preventDefault()
        const res = await save({ teacherId: teacher.id, classIds: value })
        if (res.data?.setTeacherClasses) {
          notifications.show({ color: 'teal', message: t('teachers.classes.saved', { name: teacher.name }) })
          onSaved()
          onClose()
        }
      }}
    >
      <Stack gap="md">
        <ClassPicker
          label={t('teachers.classes')}
          description={t('teachers.classes.description')}
          options={classOptions}
          value={value}
          onChange={setValue}
        />
        {partial && (
          <Alert color="yellow" role="alert">
            {t('teachers.classes.tooMany', { n: teacher.classesTotal, shown: teacher.classes.length })}
          </Alert>
        )}
        {error && <ErrorAlert error={error} title={t('teachers.classes.failed')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={fetching} disabled={partial}>
            {t('common.save')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}

function AddTeacherModal({
  opened,
  schoolId,
  classOptions,
  onAdded,
  onClose,
}: {
  opened: boolean
  schoolId: string
  classOptions: ClassOption[]
  onAdded: () => void
  onClose: () => void
}) {
  const { t } = useI18n()
  const [round, setRound] = useState(0)
  const [done, setDone] = useState(false)
  const close = () => {
    setDone(false)
    setRound((r) => r + 1)
    onClose()
  }
  return (
    <Modal opened={opened} onClose={close} title={t(done ? 'teachers.added.title' : 'teachers.add')} size="lg" closeOnClickOutside={!done}>
      <AddTeacherForm
        key={round}
        schoolId={schoolId}
        classOptions={classOptions}
        onAdded={() => {
          setDone(true)
          onAdded()
        }}
        onClose={close}
      />
    </Modal>
  )
}

interface AddedTeacher {
  name: string
  username: string
  password: string | null
  /** What failed after the account was made (classes or password), to say so plainly. */
  problems: string[]
}

function AddTeacherForm({
  schoolId,
  classOptions,
  onAdded,
  onClose,
}: {
  schoolId: string
  classOptions: ClassOption[]
  onAdded: () => void
  onClose: () => void
}) {
  const { t, pick } = useI18n()
  const [form, setForm] = useState({ firstName: '', infix: '', lastName: '', email: '', username: '' })
  const [usernameTouched, setUsernameTouched] = useState(false)
  const [classIds, setClassIds] = useState<string[]>([])
  const [checked, setChecked] = useState(false)
  const [added, setAdded] = useState<AddedTeacher | null>(null)
  const [busy, setBusy] = useState(false)
  const [{ error }, createTeacher] = useMutation(CreateTeacherMutation)
  const [, setClasses] = useMutation(SetTeacherClassesMutation)
  const [, resetPassword] = useMutation(ResetPasswordMutation)

  if (added)
    return (
      <Stack gap="md">
        <Text size="sm">{t('teachers.added.text', { name: added.name, username: added.username })}</Text>
        {added.problems.map((p, i) => (
          <Alert key={i} color="red" title={t('teachers.added.partly')}>
            {p}
          </Alert>
        ))}
        {added.password && (
          <SecretBox
            label={t('teachers.added.password', { username: added.username })}
            value={added.password}
            warning={t('reset.password.warning', { name: added.name })}
          />
        )}
        <SecretDoneButton onClick={onClose}>{t(added.password ? 'secret.done' : 'result.close')}</SecretDoneButton>
      </Stack>
    )

  const problems = {
    firstName: form.firstName.trim() === '' ? t('teachers.field.missing') : undefined,
    lastName: form.lastName.trim() === '' ? t('teachers.field.missing') : undefined,
    email: !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(form.email.trim()) ? t('teachers.email.invalid') : undefined,
    username: form.username.trim() === '' ? t('teachers.field.missing') : undefined,
  }
  const set = (key: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value
    setForm((f) => {
      const next = { ...f, [key]: v }
      if (key === 'email' && !usernameTouched) next.username = usernameFromEmail(v)
      return next
    })
    if (key === 'username') setUsernameTouched(true)
  }

  async function submit(e: FormEvent) {
    e.preventDefault()
    setChecked(true)
    if (Object.values(problems).some(Boolean)) return
    setBusy(true)
    const input = {
      firstName: form.firstName.trim(),
      infix: form.infix.trim() || null,
      lastName: form.lastName.trim(),
      email: form.email.trim(),
      username: form.username.trim(),
    }
    const res = await createTeacher({ schoolId, input })
    const teacher = res.data?.createTeacher
    if (!teacher) {
      setBusy(false)
      return
    }
    const result: AddedTeacher = { name: fullName(teacher), username: teacher.username, password: null, problems: [] }
    const message = (err: Parameters<typeof apiErrors>[0]) =>
      apiErrors(err)
        .map((x) => (x.code === 'NETWORK' ? t('error.network') : pick(x.message, x.messageEn)))
        .join(' ')
    if (classIds.length > 0) {
      const c = await setClasses({ teacherId: teacher.id, classIds })
      if (!c.data?.setTeacherClasses) result.problems.push(`${t('teachers.classes.failed')}: ${message(c.error)}`)
    }
    const pw = await resetPassword({ accountId: teacher.id })
    if (pw.data?.resetPassword) result.password = pw.data.resetPassword
    else result.problems.push(`${t('reset.failed')}: ${message(pw.error)}`)
    setBusy(false)
    setAdded(result)
    notifications.show({ color: 'teal', message: t('teachers.added', { name: result.name }) })
    onAdded()
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('teachers.add')}>
      <Stack gap="md">
        <SimpleGrid cols={{ base: 1, sm: 3 }} spacing="sm">
          <TextInput
            label={t('teachers.firstName')}
            required
            value={form.firstName}
            onChange={set('firstName')}
            error={checked && problems.firstName}
            autoComplete="off"
            data-autofocus
          />
          <TextInput label={t('teachers.infix')} value={form.infix} onChange={set('infix')} autoComplete="off" />
          <TextInput
            label={t('teachers.lastName')}
            required
            value={form.lastName}
            onChange={set('lastName')}
            error={checked && problems.lastName}
            autoComplete="off"
          />
        </SimpleGrid>
        <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="sm">
          <TextInput
            label={t('teachers.email')}
            type="email"
            required
            value={form.email}
            onChange={set('email')}
            error={checked && problems.email}
            autoComplete="off"
          />
          <TextInput
            label={t('teachers.username')}
            description={t('teachers.username.description')}
            // The hint under the field keeps it level with the e-mail address beside it.
            inputWrapperOrder={['label', 'input', 'description', 'error']}
            required
            value={form.username}
            onChange={set('username')}
            error={checked && problems.username}
            autoComplete="off"
            autoCapitalize="none"
            spellCheck={false}
          />
        </SimpleGrid>
        <ClassPicker
          label={t('teachers.classes')}
          description={t('teachers.classes.description')}
          options={classOptions}
          value={classIds}
          onChange={setClassIds}
        />
        <Text size="sm" c="dimmed">
          {t('teachers.add.passwordNote')}
        </Text>
        {error && <ErrorAlert error={error} title={t('teachers.addFailed')} />}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.cancel')}
          </Button>
          <Button type="submit" loading={busy} leftSection={<IconUserPlus size={16} aria-hidden />}>
            {t('teachers.add.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  )
}
