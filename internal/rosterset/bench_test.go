package rosterset_test

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/numo/accounts/internal/rosterset"
)

// boardSet is a OneRoster 1.2 set of one school with n pupils, each in a stamklas of 25 and
// eight lesgroepen, and n/20 teachers.
func boardSet(n int) []rosterset.Input {
	var users, roles, classes, enrols strings.Builder
	users.WriteString("sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,identifier,email,grades,metadata.numo.infix,metadata.numo.level,metadata.numo.year\n")
	roles.WriteString("sourcedId,status,dateLastModified,userSourcedId,roleType,role,orgSourcedId\n")
	classes.WriteString("sourcedId,status,dateLastModified,title,classCode,classType,schoolSourcedId,subjects\n")
	enrols.WriteString("sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,primary\n")
	homerooms, groups := n/25+1, n/25*8/8+8
	for c := range homerooms {
		fmt.Fprintf(&classes, "h%d,,,Klas %d,K%d,homeroom,s1,\n", c, c, c)
	}
	for g := range groups {
		fmt.Fprintf(&classes, "g%d,,,Groep %d,G%d,scheduled,s1,Vak %d\n", g, g, g, g%12)
	}
	e := 0
	for i := range n {
		fmt.Fprintf(&users, "u%d,,,true,%d,{ECK:https://ketenid.nl/201703/%040d},Roepnaam%d,van Achternaam%d,%d,%d@school.example,10,van,havo,4\n", i, i, i, i, i, 100000+i, i)
		fmt.Fprintf(&roles, "r%d,,,u%d,primary,student,s1\n", i, i)
		fmt.Fprintf(&enrols, "e%d,,,h%d,s1,u%d,student,false\n", e, i/25, i)
		e++
		for k := range 8 {
			fmt.Fprintf(&enrols, "e%d,,,g%d,s1,u%d,student,false\n", e, (i/25+k*7)%groups, i)
			e++
		}
	}
	for j := range n / 20 {
		fmt.Fprintf(&users, "t%d,,,true,t%d,,Docent%d,Leraar%d,T%d,t%d@school.example,,,,\n", j, j, j, j, j, j)
		fmt.Fprintf(&roles, "rt%d,,,t%d,primary,teacher,s1\n", j, j)
		for k := range 8 {
			fmt.Fprintf(&enrols, "e%d,,,g%d,s1,t%d,teacher,false\n", e, (j*8+k)%groups, j)
			e++
		}
	}
	return []rosterset.Input{
		{Name: "manifest.csv", Data: []byte("propertyName,value\nmanifest.version,1.0\noneroster.version,1.2\nfile.users,bulk\n")},
		{Name: "orgs.csv", Data: []byte("sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\ns1,,,Bestuursschool,school,99XZ01,\n")},
		{Name: "users.csv", Data: []byte(users.String())},
		{Name: "roles.csv", Data: []byte(roles.String())},
		{Name: "classes.csv", Data: []byte(classes.String())},
		{Name: "enrollments.csv", Data: []byte(enrols.String())},
	}
}

// BenchmarkOpenBoard reads a board-sized set (100,000 pupils, 900,000 enrolments) and
// reports the heap still live after reading (the input and the Set; what Open built for itself
// is garbage by then).
func BenchmarkOpenBoard(b *testing.B) {
	in := boardSet(100_000)
	size := 0
	for _, f := range in {
		size += len(f.Data)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for range b.N {
		s, err := rosterset.Open(in, "")
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "liveMB")
		if len(s.PupilOrigins) != 100_000 {
			b.Fatalf("%d pupils", len(s.PupilOrigins))
		}
	}
}
